import { em } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';

/**
 * True below Mantine's `sm` breakpoint (48em ≈ 768px), where tables turn into card lists.
 * Read synchronously so the first render already has the right layout (no flash, and
 * only one copy of each control exists for tests and screen readers).
 */
export function useIsPhone(): boolean {
  return useMediaQuery(`(max-width: ${em(767.98)})`, false, { getInitialValueInEffect: false }) ?? false;
}
