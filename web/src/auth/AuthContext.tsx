import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { api, isApiError } from '../api/client';
import type { Role, User } from '../api/types';

export const ME_KEY = ['me'] as const;

/** GET /api/me: the signed-in user, or null when signed out (401). */
async function fetchMe(): Promise<User | null> {
  try {
    const r = await api.get<{ user: User }>('/api/me');
    return r.user;
  } catch (e) {
    if (isApiError(e) && e.status === 401) return null;
    throw e;
  }
}

export interface SignupInput {
  email: string;
  password: string;
  displayName: string;
  role: 'worker' | 'requester';
  organisationName?: string;
  locale?: 'ko' | 'en';
}

interface AuthValue {
  user: User | null;
  /** True until the first /api/me answer. */
  loading: boolean;
  error: unknown;
  login: ReturnType<typeof useLoginMutation>;
  signup: ReturnType<typeof useSignupMutation>;
  logout: ReturnType<typeof useLogoutMutation>;
  hasRole: (...roles: Role[]) => boolean;
}

const AuthContext = createContext<AuthValue | null>(null);

function useLoginMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { email: string; password: string }) => api.post<{ user: User }>('/api/auth/login', b),
    onSuccess: (r) => {
      qc.clear();
      qc.setQueryData(ME_KEY, r.user);
    },
  });
}

function useSignupMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: SignupInput) => api.post<{ user: User }>('/api/auth/signup', b),
    onSuccess: (r) => {
      qc.clear();
      qc.setQueryData(ME_KEY, r.user);
    },
  });
}

function useLogoutMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/api/auth/logout'),
    // Whatever the server said, this browser is signed out: drop every cached answer.
    onSettled: () => {
      qc.clear();
      qc.setQueryData(ME_KEY, null);
    },
  });
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
  const login = useLoginMutation();
  const signup = useSignupMutation();
  const logout = useLogoutMutation();
  const user = me.data ?? null;

  const value = useMemo<AuthValue>(
    () => ({
      user,
      loading: me.isPending,
      error: me.error,
      login,
      signup,
      logout,
      hasRole: (...roles) => !!user && roles.includes(user.role),
    }),
    [user, me.isPending, me.error, login, signup, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside <AuthProvider>');
  return v;
}

/** The signed-in user inside pages behind <RequireAuth> (throws if used elsewhere). */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useUser needs a signed-in user');
  return user;
}
