import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { isApiError } from './api/client';
import { AuthProvider, ME_KEY } from './auth/AuthContext';
import { routes } from './routes';
import { theme } from './theme';

// A 401 from any call means the session is gone: forget the user, and the guards send them to /login.
const onError = (e: unknown, key?: readonly unknown[]) => {
  if (isApiError(e) && e.status === 401 && key?.[0] !== ME_KEY[0]) queryClient.setQueryData(ME_KEY, null);
};

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (e, query) => onError(e, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (e, _v, _c, m) => onError(e, m.options.mutationKey ?? ['mutation']) }),
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself; retry only network trouble and 5xx.
      retry: (count, e) => count < 2 && !(isApiError(e) && e.status >= 400 && e.status < 500),
      refetchOnWindowFocus: false,
      staleTime: 15_000,
    },
  },
});

const router = createBrowserRouter(routes);

export function App() {
  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
