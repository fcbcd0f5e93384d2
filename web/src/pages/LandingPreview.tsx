import { Badge, Box, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { formatWon } from '../lib/format';

/** An illustration of the labeling screen for the landing page (not interactive). */
export function LandingPreview() {
  const { t } = useTranslation();
  const box = (left: string, top: string, w: string, h: string, label: string, color: string) => (
    <Box pos="absolute" style={{ left, top, width: w, height: h, border: `2px solid ${color}`, borderRadius: 4 }}>
      <Text
        span
        fz={11}
        fw={700}
        c="white"
        px={5}
        style={{ position: 'absolute', top: -20, left: -2, background: color, borderRadius: 3, lineHeight: '18px' }}
      >
        {label}
      </Text>
    </Box>
  );
  return (
    <Paper withBorder shadow="md" p="lg" radius="lg" role="img" aria-label={t('landing.preview.label')} maw={440} w="100%">
      <Stack gap="md" aria-hidden="true">
        <Group justify="space-between" gap={6}>
          <Text fw={700} size="sm">
            {t('landing.preview.project')}
          </Text>
          <Badge color="teal" variant="light" tt="none" leftSection={<IconClock size={12} />}>
            {t('landing.preview.pay', { amount: formatWon(13800) })}
          </Badge>
        </Group>
        <Box
          pos="relative"
          h={190}
          style={{
            borderRadius: 10,
            overflow: 'hidden',
            background:
              'linear-gradient(180deg, #cfe6f2 0%, #e9f3f8 45%, #9aa6ad 46%, #7d8990 100%)',
          }}
        >
          <Box pos="absolute" style={{ left: '8%', top: '30%', width: '26%', height: '24%', background: '#b8c9d3', borderRadius: 4 }} />
          <Box pos="absolute" style={{ left: '64%', top: '22%', width: '30%', height: '32%', background: '#c4d3db', borderRadius: 4 }} />
          <Box pos="absolute" style={{ left: '14%', top: '58%', width: '30%', height: '20%', background: '#34556a', borderRadius: 8 }} />
          <Box pos="absolute" style={{ left: '70%', top: '50%', width: '6%', height: '30%', background: '#a0523d', borderRadius: 6 }} />
          {box('12%', '54%', '34%', '28%', t('landing.preview.car'), 'var(--mantine-color-dure-6)')}
          {box('67%', '46%', '12%', '38%', t('landing.preview.person'), 'var(--mantine-color-orange-6)')}
        </Box>
        <Stack gap={6}>
          <Text size="sm" fw={600}>
            {t('landing.preview.question')}
          </Text>
          <Group gap={6}>
            <Badge radius="xl" variant="filled" tt="none" fw={500}>
              {t('landing.preview.sunny')}
            </Badge>
            <Badge radius="xl" variant="outline" color="gray" tt="none" fw={500}>
              {t('landing.preview.rain')}
            </Badge>
            <Badge radius="xl" variant="outline" color="gray" tt="none" fw={500}>
              {t('landing.preview.snow')}
            </Badge>
          </Group>
        </Stack>
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {t('landing.preview.agreement')}
            </Text>
            <Text size="xs" fw={700}>
              94%
            </Text>
          </Group>
          <Progress value={94} size="sm" color="teal" />
        </Stack>
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {t('landing.preview.task', { n: 12, total: 40 })}
          </Text>
          <Group gap="xs">
            <Button component="span" size="xs" variant="default">
              {t('landing.preview.skip')}
            </Button>
            <Button component="span" size="xs">
              {t('landing.preview.submit')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
