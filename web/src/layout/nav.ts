import {
  IconAlertTriangle,
  IconCash,
  IconChartBar,
  IconChecklist,
  IconCreditCard,
  IconFolders,
  IconHome,
  IconKey,
  IconSearch,
  IconUsers,
  IconWallet,
  type Icon,
} from '@tabler/icons-react';
import type { Role } from '../api/types';

export interface NavItem {
  to: string;
  /** i18n key under nav.* */
  label: 'home' | 'findWork' | 'wallet' | 'stats' | 'review' | 'projects' | 'billing' | 'users' | 'payouts' | 'flags' | 'tokens';
  icon: Icon;
  /** Roles that see the entry (and may open the page). */
  roles: Role[];
}

export interface NavSection {
  /** i18n key under nav.*, or null for the unlabelled top section. */
  title: 'sectionWork' | 'sectionRequester' | 'sectionAdmin' | 'sectionAccount' | null;
  items: NavItem[];
}

const WORKERS: Role[] = ['worker', 'reviewer'];
const ALL: Role[] = ['worker', 'reviewer', 'requester', 'admin'];

/** The one list of navigation entries; pages are guarded with the same roles in routes.tsx. */
export const NAV: NavSection[] = [
  { title: null, items: [{ to: '/home', label: 'home', icon: IconHome, roles: ALL }] },
  {
    title: 'sectionWork',
    items: [
      { to: '/work', label: 'findWork', icon: IconSearch, roles: WORKERS },
      { to: '/review', label: 'review', icon: IconChecklist, roles: ['reviewer'] },
      { to: '/wallet', label: 'wallet', icon: IconWallet, roles: WORKERS },
      { to: '/stats', label: 'stats', icon: IconChartBar, roles: WORKERS },
    ],
  },
  {
    title: 'sectionRequester',
    items: [
      { to: '/projects', label: 'projects', icon: IconFolders, roles: ['requester'] },
      { to: '/billing', label: 'billing', icon: IconCreditCard, roles: ['requester'] },
    ],
  },
  {
    title: 'sectionAdmin',
    items: [
      { to: '/admin/users', label: 'users', icon: IconUsers, roles: ['admin'] },
      { to: '/admin/payouts', label: 'payouts', icon: IconCash, roles: ['admin'] },
      { to: '/admin/flags', label: 'flags', icon: IconAlertTriangle, roles: ['admin'] },
    ],
  },
  { title: 'sectionAccount', items: [{ to: '/settings/tokens', label: 'tokens', icon: IconKey, roles: ALL }] },
];

export function navFor(role: Role): NavSection[] {
  return NAV.map((s) => ({ ...s, items: s.items.filter((i) => i.roles.includes(role)) })).filter((s) => s.items.length > 0);
}

export function rolesFor(to: string): Role[] {
  for (const s of NAV) for (const i of s.items) if (i.to === to) return i.roles;
  return ALL;
}
