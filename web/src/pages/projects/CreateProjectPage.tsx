import { Anchor, Group, Text } from '@mantine/core';
import { readyTemplate } from '@core/templates/index.ts';
import { IconArrowLeft } from '@tabler/icons-react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { currentLanguage } from '../../i18n';
import { NotFoundPage } from '../NotFoundPage';
import { ProjectFormEditor, type FormStart } from './ProjectFormEditor';

/** /projects/new/:templateId — the editor, started from a ready template (or `blank`). */
export function CreateProjectPage() {
  const { t } = useTranslation();
  const { templateId = 'blank' } = useParams();
  const lang = currentLanguage();
  // The ready template is materialised once, in the language the requester works in: option
  // strings are stored in answers, so a project keeps the language it started with.
  const start = useMemo<FormStart | null>(() => {
    if (templateId === 'blank') {
      return { name: '', instructions: '', template: { display: [{ type: 'text', field: 'text', label: t('projects.new.blankTextLabel') }], controls: [] } };
    }
    const ready = readyTemplate(templateId, lang);
    if (!ready) return null;
    return {
      name: ready.name[lang],
      instructions: ready.instructions,
      template: ready.template,
      sampleItem: ready.sampleItem,
      sampleResult: ready.sampleResult,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [templateId]);
  if (!start) return <NotFoundPage />;
  const ready = templateId === 'blank' ? null : readyTemplate(templateId, lang);
  return (
    <>
      <Group mb="xs">
        <Anchor component={Link} to="/projects/new" size="sm">
          <Group gap={4}>
            <IconArrowLeft size={14} />
            {t('projects.new.backToTemplates')}
          </Group>
        </Anchor>
      </Group>
      <PageHeader
        title={t('projects.new.createTitle')}
        lead={
          <Text span c="dimmed">
            {ready ? t('projects.new.fromTemplate', { name: ready.name[lang] }) : t('projects.new.fromBlank')} {t('projects.new.settingsLater')}
          </Text>
        }
      />
      <ProjectFormEditor start={start} />
    </>
  );
}
