import { Anchor, Badge, Box, Button, Card, Container, Group, List, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconChartDots3, IconCheck, IconHeartHandshake, IconScale, IconShieldCheck } from '@tabler/icons-react';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LandingPreview } from './LandingPreview';

export function LandingPage() {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t('app.name')} · ${t('app.tagline')}`;
  }, [t]);

  const features = [
    { icon: IconShieldCheck, title: t('landing.qualityTitle'), text: t('landing.qualityText') },
    { icon: IconChartDots3, title: t('landing.matchTitle'), text: t('landing.matchText') },
    { icon: IconScale, title: t('landing.fairTitle'), text: t('landing.fairText') },
    { icon: IconHeartHandshake, title: t('landing.civicTitle'), text: t('landing.civicText') },
  ];

  return (
    <>
      <Box className="dure-landing-hero" py={{ base: 40, sm: 72 }}>
        <Container size="lg">
          <Group align="center" justify="space-between" gap={48} wrap="nowrap">
          <Stack gap="lg" maw={640} style={{ flex: 1 }}>
            <Badge variant="light" size="lg" radius="sm" w="fit-content">
              {t('landing.eyebrow')}
            </Badge>
            <Title order={1} fz={{ base: 30, sm: 44 }} lh={1.25}>
              {t('landing.title')}
            </Title>
            <Text fz={{ base: 'md', sm: 'lg' }} c="gray.7" lh={1.7}>
              {t('landing.lead')}
            </Text>
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" maw={480}>
              <Button component={Link} to="/signup?role=worker" size="md">
                {t('landing.ctaWorker')}
              </Button>
              <Button component={Link} to="/signup?role=requester" size="md" variant="default">
                {t('landing.ctaRequester')}
              </Button>
            </SimpleGrid>
            <Text size="sm" c="dimmed">
              {t('landing.haveAccount')}{' '}
              <Anchor component={Link} to="/login" fw={600}>
                {t('header.login')}
              </Anchor>
            </Text>
          </Stack>
          <Box visibleFrom="md" style={{ flexShrink: 0, width: 420 }}>
            <LandingPreview />
          </Box>
          </Group>
        </Container>
      </Box>

      <Container size="lg" pt={{ base: 8, sm: 16 }} pb={{ base: 40, sm: 64 }}>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <AudienceCard
            title={t('landing.forRequesters')}
            lead={t('landing.forRequestersLead')}
            points={[t('landing.req1'), t('landing.req2'), t('landing.req3'), t('landing.req4')]}
            cta={t('landing.ctaRequester')}
            to="/signup?role=requester"
            color="teal"
          />
          <AudienceCard
            title={t('landing.forWorkers')}
            lead={t('landing.forWorkersLead')}
            points={[t('landing.wrk1'), t('landing.wrk2'), t('landing.wrk3'), t('landing.wrk4')]}
            cta={t('landing.ctaWorker')}
            to="/signup?role=worker"
            color="dure"
          />
        </SimpleGrid>

        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="lg" mt={{ base: 40, sm: 56 }}>
          {features.map((f) => (
            <Stack key={f.title} gap="xs">
              <ThemeIcon size={40} radius="md" variant="light">
                <f.icon size={22} stroke={1.7} />
              </ThemeIcon>
              <Text fw={700}>{f.title}</Text>
              <Text size="sm" c="dimmed" lh={1.6}>
                {f.text}
              </Text>
            </Stack>
          ))}
        </SimpleGrid>
      </Container>
    </>
  );
}

function AudienceCard(props: { title: string; lead: string; points: string[]; cta: string; to: string; color: string }) {
  return (
    <Card shadow="xs" padding="xl">
      <Stack gap="md" h="100%">
        <div>
          <Title order={2} fz={22}>
            {props.title}
          </Title>
          <Text c="dimmed" mt={4}>
            {props.lead}
          </Text>
        </div>
        <List
          spacing="sm"
          icon={
            <ThemeIcon color={props.color} size={22} radius="xl" variant="light">
              <IconCheck size={14} />
            </ThemeIcon>
          }
          style={{ flex: 1 }}
        >
          {props.points.map((p) => (
            <List.Item key={p}>
              <Text size="sm" lh={1.6}>
                {p}
              </Text>
            </List.Item>
          ))}
        </List>
        <Button component={Link} to={props.to} color={props.color} variant="light" fullWidth>
          {props.cta}
        </Button>
      </Stack>
    </Card>
  );
}
