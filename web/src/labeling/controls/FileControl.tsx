import { ActionIcon, Anchor, Button, FileButton, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { assetHash, fileAccepts, type FileControl } from '@core/templates/index.ts';
import { IconFile, IconTrash, IconUpload } from '@tabler/icons-react';
import { useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { assetUrl } from '../media';
import type { ControlProps, FileUploader, UploadedFile } from '../types';

/** "1.2 MB", "340 KB", "12 B". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatNumber(n)} B`;
  if (n < 1024 * 1024) return `${formatNumber(n / 1024, { maximumFractionDigits: 1 })} KB`;
  return `${formatNumber(n / 1024 / 1024, { maximumFractionDigits: 1 })} MB`;
}

/** What uploaded files this page knows by reference (names and sizes survive re-renders). */
const known = new Map<string, UploadedFile>();

/**
 * A file for a data-collection task: the type and size are checked in the browser first (the
 * control's `accept` and `maxBytes`), then the file goes to the upload endpoint and its asset
 * reference becomes the answer. The server judges the type again by content.
 */
export function FileAnswer({ control, value, onChange, readOnly, invalid, label, describedBy, upload }: ControlProps<FileControl> & { upload?: FileUploader }) {
  const { t } = useTranslation();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const ref = typeof value === 'string' ? value : null;
  const info = ref ? known.get(ref) : undefined;

  const take = async (file: File | null) => {
    if (!file || readOnly || !upload) return;
    setError(null);
    if (!fileAccepts(control.accept, { mimeType: file.type || undefined, name: file.name })) {
      setError(t('labeling.file.wrongType', { accept: control.accept.join(', ') }));
      return;
    }
    if (file.size > control.maxBytes) {
      setError(t('labeling.file.tooBig', { size: formatBytes(file.size), max: formatBytes(control.maxBytes) }));
      return;
    }
    if (file.size === 0) {
      setError(t('labeling.file.empty'));
      return;
    }
    setProgress(0);
    try {
      const up = await upload(file, setProgress);
      // The server names the type from the content; a file whose content is not what its name says is refused here too.
      if (!fileAccepts(control.accept, { mimeType: up.mime, name: up.name ?? file.name })) {
        setError(t('labeling.file.wrongContent', { mime: up.mime }));
        return;
      }
      known.set(up.asset, { ...up, name: up.name ?? file.name });
      onChange?.(up.asset);
    } catch (e) {
      setError(errorMessage(e, t));
    } finally {
      setProgress(null);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void take(e.dataTransfer.files[0] ?? null);
  };

  const hash = ref ? assetHash(ref) : null;
  return (
    <Stack gap={6}>
      {ref ? (
        <Paper withBorder p="sm" radius="md">
          <Group wrap="nowrap" gap="sm">
            <IconFile size={22} stroke={1.6} />
            <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
              {hash ? (
                <Anchor href={assetUrl(hash)} target="_blank" rel="noopener noreferrer" fw={600} truncate data-testid={`file-${control.name}`}>
                  {info?.name ?? t('labeling.file.uploaded')}
                </Anchor>
              ) : (
                <Text fw={600}>{ref}</Text>
              )}
              {info ? (
                <Text size="xs" c="dimmed">
                  {formatBytes(info.size)} · {info.mime}
                </Text>
              ) : null}
            </Stack>
            {readOnly ? null : (
              <ActionIcon variant="subtle" color="red" aria-label={t('labeling.file.remove')} onClick={() => onChange?.(null)}>
                <IconTrash size={18} />
              </ActionIcon>
            )}
          </Group>
        </Paper>
      ) : null}
      {readOnly ? (
        ref ? null : (
          <Text c="dimmed" size="sm">
            {t('labeling.file.none')}
          </Text>
        )
      ) : (
        <Paper
          withBorder
          p="md"
          radius="md"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          style={{ borderStyle: 'dashed', borderColor: invalid ? 'var(--mantine-color-red-6)' : dragging ? 'var(--mantine-color-dure-6)' : undefined }}
        >
          <Stack align="center" gap={6}>
            <FileButton onChange={(f) => void take(f)} accept={control.accept.join(',') || undefined} disabled={!upload || progress !== null}>
              {(props) => (
                <Button {...props} leftSection={<IconUpload size={18} />} variant="light" size="md" data-primary-focus="" aria-describedby={describedBy} aria-label={`${label}: ${ref ? t('labeling.file.replace') : t('labeling.file.choose')}`}>
                  {ref ? t('labeling.file.replace') : t('labeling.file.choose')}
                </Button>
              )}
            </FileButton>
            <Text size="xs" c="dimmed" ta="center">
              {control.accept.length ? t('labeling.file.accepts', { accept: control.accept.join(', ') }) : t('labeling.file.anyType')} ·{' '}
              {t('labeling.file.max', { max: formatBytes(control.maxBytes) })}
            </Text>
            {!upload ? (
              <Text size="xs" c="dimmed">
                {t('labeling.file.previewOnly')}
              </Text>
            ) : null}
          </Stack>
        </Paper>
      )}
      {progress !== null ? <Progress value={progress * 100} size="sm" animated aria-label={t('labeling.file.uploading')} /> : null}
      {error ? (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}
