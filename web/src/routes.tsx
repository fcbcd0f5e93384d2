import type { ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import { RedirectIfSignedIn, RequireAuth, RequireRole } from './auth/guards';
import { AppLayout } from './layout/AppLayout';
import { rolesFor } from './layout/nav';
import { PublicLayout } from './layout/PublicLayout';
import { UsersPage } from './pages/admin/UsersPage';
import { LabelingRoute, WorkFeedPage } from './pages/work';
import { HomePage } from './pages/HomePage';
import { LandingPage } from './pages/LandingPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { CreateProjectPage, NewProjectPage, ProjectPage, ProjectsListPage } from './pages/projects';
import { ReviewListPage, ReviewPage } from './pages/review';
import { FlagsPage, MyStatsPage } from './pages/quality';
import { BillingPage, PayoutsAdminPage, WalletPage } from './pages/money';
import { PlaceholderPage, type PlaceholderKey } from './pages/PlaceholderPage';
import { SignupPage } from './pages/SignupPage';
import { TokensPage } from './pages/TokensPage';

/** A page for the roles its navigation entry lists (see layout/nav.ts). */
const guarded = (path: string, element: ReactNode): RouteObject => ({
  path,
  element: <RequireRole roles={rolesFor(path)}>{element}</RequireRole>,
});
const placeholder = (path: string, page: PlaceholderKey) => guarded(path, <PlaceholderPage page={page} />);

export const routes: RouteObject[] = [
  {
    element: <PublicLayout />,
    children: [
      { path: '/', element: <RedirectIfSignedIn><LandingPage /></RedirectIfSignedIn> },
      { path: '/login', element: <RedirectIfSignedIn><LoginPage /></RedirectIfSignedIn> },
      { path: '/signup', element: <RedirectIfSignedIn><SignupPage /></RedirectIfSignedIn> },
    ],
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { path: '/home', element: <HomePage /> },
          { path: '/settings/tokens', element: <TokensPage /> },
          // worker / reviewer
          guarded('/work', <WorkFeedPage />),
          { path: '/work/:projectId', element: <RequireRole roles={rolesFor('/work')}><LabelingRoute /></RequireRole> },
          guarded('/review', <ReviewListPage />),
          { path: '/review/:projectId', element: <RequireRole roles={rolesFor('/review')}><ReviewPage /></RequireRole> },
          guarded('/wallet', <WalletPage />),
          guarded('/stats', <MyStatsPage />),
          // requester
          guarded('/projects', <ProjectsListPage />),
          { path: '/projects/new', element: <RequireRole roles={rolesFor('/projects')}><NewProjectPage /></RequireRole> },
          { path: '/projects/new/:templateId', element: <RequireRole roles={rolesFor('/projects')}><CreateProjectPage /></RequireRole> },
          { path: '/projects/:id/:tab?', element: <RequireRole roles={rolesFor('/projects')}><ProjectPage /></RequireRole> },
          guarded('/billing', <BillingPage />),
          // operator
          guarded('/admin/users', <UsersPage />),
          guarded('/admin/payouts', <PayoutsAdminPage />),
          guarded('/admin/flags', <FlagsPage />),
        ],
      },
    ],
  },
  { element: <PublicLayout />, children: [{ path: '*', element: <NotFoundPage /> }] },
];
