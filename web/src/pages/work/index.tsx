import { Group, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';

export { WorkFeedPage } from './WorkFeedPage';

// The labeling screen carries the canvas library (konva): load it when a task is opened.
const LabelingPage = lazy(() => import('./LabelingPage').then((m) => ({ default: m.LabelingPage })));

export function LabelingRoute() {
  return (
    <Suspense
      fallback={
        <Group justify="center" h={300}>
          <Loader />
        </Group>
      }
    >
      <LabelingPage />
    </Suspense>
  );
}
