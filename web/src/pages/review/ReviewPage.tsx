import { Accordion, Alert, Badge, Box, Button, Drawer, Group, Kbd, Loader, Paper, Stack, Text, Textarea, Title, Tooltip, ActionIcon } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { defaultResult, type Result, type Template } from '@core/templates/index.ts';
import { IconArrowBackUp, IconArrowLeft, IconBook2, IconCheck, IconEyeCheck, IconX } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { digitKey, hasMod, isComposing, isTypingTarget } from '../../labeling/keys';
import { LabelingForm } from '../../labeling/LabelingForm';
import { Markdown } from '../../labeling/Markdown';
import { imageUrls, preloadImages } from '../../labeling/media';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatDuration } from '../../lib/format';
import { reviewApi, reviewKeys, type Review } from './api';
import { READY_REASONS } from './reasons';

type Phase = 'loading' | 'ready' | 'sending' | 'done' | 'error';

/** The answer as the worker stored it, over the form's empty values (so every control shows). */
function shown(template: Template, result: Result): Result {
  return { ...defaultResult(template), ...result };
}

/**
 * The review screen of one project: the item and the answer drawn exactly as the labeler saw
 * them (the same LabelingForm, read-only), approve with `a`, send back with `r` (a reason is
 * required: a ready-made one by number key, or written), the next review at once.
 */
export function ReviewPage() {
  const { projectId = '' } = useParams();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [review, setReview] = useState<Review | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [error, setError] = useState<unknown>(null);
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [instructions, setInstructions] = useState(false);
  const [count, setCount] = useState(0);
  const phone = useMediaQuery('(max-width: 48em)');
  const commentRef = useRef<HTMLTextAreaElement>(null);

  const reviewRef = useRef(review);
  reviewRef.current = review;
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  useEffect(() => {
    document.title = `${review?.projectName ?? t('nav.review')} · ${t('app.name')}`;
  }, [review?.projectName, t]);

  const loadNext = useCallback(async () => {
    setPhase('loading');
    setError(null);
    try {
      const r = await reviewApi.next(projectId);
      if (!r) {
        setReview(null);
        setPhase('done');
        void qc.invalidateQueries({ queryKey: reviewKeys.projects });
        return;
      }
      await preloadImages(imageUrls(r.template, r.item.data), 1500);
      setReview(r);
      setRejecting(false);
      setComment('');
      setCommentError(null);
      setPhase('ready');
    } catch (e) {
      setError(e);
      setPhase('error');
    }
  }, [projectId, qc]);

  useEffect(() => {
    void loadNext();
  }, [loadNext]);

  const decide = useCallback(
    async (verdict: 'approve' | 'reject', reason?: string) => {
      const r = reviewRef.current;
      if (!r || phaseRef.current !== 'ready') return;
      const text = (reason ?? '').trim();
      if (verdict === 'reject' && !text) {
        setRejecting(true);
        setCommentError(t('review.commentRequired'));
        commentRef.current?.focus();
        return;
      }
      setPhase('sending');
      try {
        const out = await reviewApi.decide(r.annotationId, verdict, verdict === 'reject' ? text : undefined);
        const key = out.kind === 'cross' ? 'recorded' : out.annotationStatus === 'approved' ? 'approved' : out.annotationStatus === 'rework' ? 'sentBack' : 'rejectedFinal';
        notifications.show({ color: verdict === 'approve' ? 'teal' : 'orange', message: t(`review.outcome.${key}`), autoClose: 1500 });
        setCount((c) => c + 1);
        await loadNext();
      } catch (e) {
        if (isApiError(e) && e.code === 'validation_failed') {
          setCommentError(errorMessage(e, t));
          setPhase('ready');
          return;
        }
        notifications.show({ color: 'red', message: errorMessage(e, t) });
        // The review is gone (decided elsewhere, withdrawn): move on; otherwise let them retry.
        if (isApiError(e) && (e.status === 409 || e.status === 404)) await loadNext();
        else setPhase('ready');
      }
    },
    [loadNext, t],
  );

  const openReject = useCallback(() => {
    setRejecting(true);
    setCommentError(null);
    requestAnimationFrame(() => commentRef.current?.focus());
  }, []);

  const pickReason = useCallback(
    (i: number) => {
      const key = READY_REASONS[i];
      if (!key) return;
      setComment(t(`review.reasons.${key}`));
      setCommentError(null);
      setRejecting(true);
    },
    [t],
  );

  // ---- keys: a approve, r send back, 1…6 a ready-made reason, Ctrl/⌘+Enter send, Esc cancel, ? instructions
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isComposing(e) || instructions) return;
      const typing = isTypingTarget(e.target);
      if (e.key === 'Enter' && hasMod(e)) {
        e.preventDefault();
        if (rejecting) void decide('reject', comment);
        return;
      }
      if (e.key === 'Escape' && rejecting) {
        e.preventDefault();
        setRejecting(false);
        setCommentError(null);
        (document.activeElement as HTMLElement | null)?.blur?.();
        return;
      }
      if (typing || e.altKey || hasMod(e)) return;
      const k = e.key.toLowerCase();
      if (k === 'a' && !rejecting) {
        e.preventDefault();
        void decide('approve');
      } else if (k === 'r') {
        e.preventDefault();
        openReject();
      } else if (k === '?' || k === 'i') {
        e.preventDefault();
        setInstructions(true);
      } else if (k === 'enter' && rejecting) {
        e.preventDefault();
        void decide('reject', comment);
      } else {
        const d = digitKey(e);
        if (d && d !== '0') {
          e.preventDefault();
          pickReason(Number(d) - 1);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [decide, openReject, pickReason, rejecting, comment, instructions]);

  const busy = phase === 'sending' || phase === 'loading';
  const r = review;

  return (
    <Stack gap="md" data-testid="review-page" data-phase={phase} data-annotation-id={r?.annotationId}>
      <Stack gap={6}>
        <Button component={Link} to="/review" variant="subtle" size="compact-sm" leftSection={<IconArrowLeft size={16} />} w="fit-content" px={4}>
          {t('review.back')}
        </Button>
        <Group justify="space-between" align="center" gap="sm">
          <Title order={1} fz={{ base: 20, sm: 24 }} lh={1.25}>
            {r?.projectName ?? t('nav.review')}
          </Title>
          <Group gap="xs">
            <Badge size="lg" variant="light" color="gray" data-testid="reviewed-count">
              {t('review.doneCount', { count, n: count })}
            </Badge>
            <Tooltip label={`${t('review.instructions')} (?)`}>
              <ActionIcon variant="light" size="xl" radius="md" onClick={() => setInstructions(true)} aria-label={t('review.instructions')} disabled={!r}>
                <IconBook2 size={22} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </Stack>

      {phase === 'error' ? (
        <Stack>
          <ErrorAlert error={error} />
          <Group>
            <Button onClick={() => void loadNext()}>{t('common.retry')}</Button>
          </Group>
        </Stack>
      ) : phase === 'done' ? (
        <Paper withBorder p="xl" data-testid="no-more-reviews">
          <Stack align="flex-start" gap="sm">
            <Title order={2} fz={22}>
              {t('review.doneTitle')}
            </Title>
            <Text c="dimmed">{t('review.doneText')}</Text>
            <Group>
              <Button component={Link} to="/review">
                {t('review.back')}
              </Button>
              <Button variant="default" onClick={() => void loadNext()}>
                {t('review.checkAgain')}
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : !r ? (
        <Group justify="center" h={300}>
          <Loader />
        </Group>
      ) : (
        <>
          <Group gap="xs" data-testid="review-facts">
            <Badge color={r.kind === 'cross' ? 'grape' : 'blue'} variant="light">
              {r.kind === 'cross' ? t('review.kindCross') : t('review.kindReview')}
            </Badge>
            <Badge variant="outline" color="gray">
              {t(`review.reason.${(['first_k', 'sampled', 'rework', 'disagreement', 'cross_review'] as const).find((x) => x === r.reason) ?? 'sampled'}`)}
            </Badge>
            <Text size="sm" c="dimmed">
              {t('review.facts', { worker: r.worker, when: formatDateTime(r.submittedAt), took: formatDuration(r.durationMs / 1000) })}
            </Text>
            {r.reworkCount > 0 ? (
              <Badge color="orange" variant="light">
                {t('review.reworkCount', { count: r.reworkCount, max: r.maxReworks })}
              </Badge>
            ) : null}
          </Group>
          {r.kind === 'cross' ? (
            <Alert color="grape" variant="light" icon={<IconEyeCheck size={20} />}>
              {t('review.crossNote')}
            </Alert>
          ) : null}
          {r.previous ? (
            <Accordion variant="contained" data-testid="review-previous">
              <Accordion.Item value="previous">
                <Accordion.Control icon={<IconArrowBackUp size={18} />}>{t('review.previousTitle')}</Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="sm">
                    <Text size="sm" className="dure-item-text">
                      <b>{t('review.previousComment')}</b> {r.previous.comment}
                    </Text>
                    <LabelingForm template={r.template} data={r.item.data} value={shown(r.template, r.previous.result)} readOnly keyboard="none" />
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            </Accordion>
          ) : null}
          <Box style={{ opacity: busy ? 0.55 : 1, transition: 'opacity 120ms ease' }} aria-busy={busy} data-testid="review-answer">
            <LabelingForm key={r.id} template={r.template} data={r.item.data} value={shown(r.template, r.result)} readOnly keyboard="none" />
          </Box>

          <Paper withBorder p="md" radius="md" className="dure-review-bar" style={phone ? { position: 'sticky', bottom: 0, zIndex: 5 } : undefined}>
            {rejecting ? (
              <Stack gap="sm" data-testid="reject-panel">
                <Text fw={600}>{t('review.rejectTitle')}</Text>
                <Group gap="xs">
                  {READY_REASONS.map((key, i) => (
                    <Button key={key} size="compact-sm" variant={comment === t(`review.reasons.${key}`) ? 'filled' : 'default'} onClick={() => pickReason(i)} leftSection={<Kbd size="xs">{i + 1}</Kbd>}>
                      {t(`review.reasons.${key}`)}
                    </Button>
                  ))}
                </Group>
                <Textarea
                  ref={commentRef}
                  label={t('review.commentLabel')}
                  value={comment}
                  onChange={(e) => {
                    setComment(e.currentTarget.value);
                    setCommentError(null);
                  }}
                  error={commentError}
                  autosize
                  minRows={2}
                  maxLength={5000}
                />
                <Group justify="space-between">
                  <Text size="xs" c="dimmed">
                    <Kbd size="xs">Ctrl</Kbd>+<Kbd size="xs">Enter</Kbd> {t('review.keys.send')} · <Kbd size="xs">Esc</Kbd> {t('review.keys.cancel')}
                  </Text>
                  <Group gap="xs">
                    <Button variant="default" onClick={() => setRejecting(false)} disabled={busy}>
                      {t('common.cancel')}
                    </Button>
                    <Button color="orange" leftSection={<IconX size={18} />} onClick={() => void decide('reject', comment)} loading={phase === 'sending'}>
                      {r.kind === 'review' && r.reworkCount >= r.maxReworks ? t('review.rejectFinal') : t('review.sendBack')}
                    </Button>
                  </Group>
                </Group>
              </Stack>
            ) : (
              <Group justify="space-between" gap="sm">
                <Text size="xs" c="dimmed" visibleFrom="sm">
                  <Kbd size="xs">A</Kbd> {t('review.keys.approve')} · <Kbd size="xs">R</Kbd> {t('review.keys.reject')} · <Kbd size="xs">1</Kbd>…<Kbd size="xs">6</Kbd> {t('review.keys.reasons')}
                </Text>
                <Group gap="xs" grow={phone ?? false} style={phone ? { flex: 1 } : undefined}>
                  <Button size="md" h={phone ? 48 : undefined} px={phone ? 'sm' : undefined} color="orange" variant="light" leftSection={<IconX size={18} />} onClick={openReject} disabled={busy}>
                    {t('review.reject')}
                  </Button>
                  <Button size="md" h={phone ? 48 : undefined} px={phone ? 'sm' : undefined} color="teal" leftSection={<IconCheck size={18} />} onClick={() => void decide('approve')} loading={phase === 'sending'} disabled={busy && phase !== 'sending'}>
                    {t('review.approve')}
                  </Button>
                </Group>
              </Group>
            )}
          </Paper>
        </>
      )}

      <Drawer opened={instructions} onClose={() => setInstructions(false)} position="right" size="lg" title={<Text fw={700} size="lg">{t('review.instructions')}</Text>}>
        {r?.instructions.trim() ? <Markdown>{r.instructions}</Markdown> : <Text c="dimmed">{t('review.noInstructions')}</Text>}
      </Drawer>
    </Stack>
  );
}
