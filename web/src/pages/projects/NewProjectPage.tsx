import { Badge, Card, Group, SimpleGrid, Stack, Text, ThemeIcon, Title, UnstyledButton } from '@mantine/core';
import { READY_TEMPLATES, type ControlType } from '@core/templates/index.ts';
import { IconAdjustmentsHorizontal, IconBoxMultiple, IconForms, IconHighlight, IconLayoutColumns, IconMessageCircle, IconPhoto, type Icon } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { currentLanguage } from '../../i18n';

const ICONS: Record<string, Icon> = {
  image_classification: IconPhoto,
  sentiment: IconMessageCircle,
  named_entities: IconHighlight,
  object_boxes: IconBoxMultiple,
  llm_comparison: IconLayoutColumns,
  survey: IconForms,
};

/** 새 프로젝트: start from a ready template (ko/en names and descriptions) or from a blank form. */
export function NewProjectPage() {
  const { t } = useTranslation();
  const lang = currentLanguage() === 'ko' ? 'ko' : 'en';
  const typeName = (ty: ControlType) => t(`templateEditor.types.${ty}`);
  return (
    <>
      <PageHeader title={t('projects.new.title')} lead={t('projects.new.lead')} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" data-testid="template-gallery">
        {READY_TEMPLATES.map((tpl) => {
          const IconC = ICONS[tpl.id] ?? IconForms;
          return (
            <UnstyledButton key={tpl.id} component={Link} to={`/projects/new/${tpl.id}`} data-template={tpl.id} style={{ display: 'block' }} className="dure-template-card">
              <Card h="100%" className="dure-shortcut">
                <Stack gap="sm">
                  <Group gap="sm" wrap="nowrap">
                    <ThemeIcon size={40} radius="md" variant="light">
                      <IconC size={22} />
                    </ThemeIcon>
                    <Stack gap={0} style={{ minWidth: 0 }}>
                      <Title order={2} fz="md">
                        {tpl.name[lang]}
                      </Title>
                      <Text size="xs" c="dimmed">
                        {tpl.name[lang === 'ko' ? 'en' : 'ko']}
                      </Text>
                    </Stack>
                  </Group>
                  <Text size="sm">{tpl.description[lang]}</Text>
                  <Group gap={4}>
                    {tpl.controlTypes.map((ty) => (
                      <Badge key={ty} variant="light" color="gray" size="sm">
                        {typeName(ty)}
                      </Badge>
                    ))}
                  </Group>
                </Stack>
              </Card>
            </UnstyledButton>
          );
        })}
        <UnstyledButton component={Link} to="/projects/new/blank" data-template="blank" style={{ display: 'block' }}>
          <Card h="100%" className="dure-shortcut" style={{ borderStyle: 'dashed' }}>
            <Stack gap="sm">
              <Group gap="sm" wrap="nowrap">
                <ThemeIcon size={40} radius="md" variant="light" color="gray">
                  <IconAdjustmentsHorizontal size={22} />
                </ThemeIcon>
                <Title order={2} fz="md">
                  {t('projects.new.blank')}
                </Title>
              </Group>
              <Text size="sm">{t('projects.new.blankText')}</Text>
            </Stack>
          </Card>
        </UnstyledButton>
      </SimpleGrid>
    </>
  );
}
