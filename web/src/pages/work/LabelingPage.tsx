import { ActionIcon, Alert, Badge, Box, Button, Drawer, Group, Kbd, Loader, Paper, Skeleton, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { defaultResult, validateResult, type Control, type Result, type Template } from '@core/templates/index.ts';
import { IconArrowBackUp, IconArrowLeft, IconBook2, IconCheck, IconClock, IconPlayerSkipForward } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { hasMod, isComposing, isMultilineTarget, isTypingTarget } from '../../labeling/keys';
import { LabelingForm } from '../../labeling/LabelingForm';
import { Markdown } from '../../labeling/Markdown';
import { imageUrls, preloadImages } from '../../labeling/media';
import { problemsByControl, type ProblemsByControl } from '../../labeling/problems';
import { errorMessage } from '../../lib/errors';
import { formatNumber, formatWon } from '../../lib/format';
import { workApi, workKeys, type Assignment, type WorkProject } from './api';

type Task = { assignment: Assignment; result: Result };
type Phase = 'loading' | 'ready' | 'submitting' | 'next' | 'done' | 'error';

/** The start of an answer: the previous answer for a rework, empty values otherwise. */
function startingResult(template: Template, a: Assignment): Result {
  const base = defaultResult(template);
  if (a.kind === 'rework' && a.previousResult) {
    for (const c of template.controls) if (Object.hasOwn(a.previousResult, c.name)) base[c.name] = a.previousResult[c.name]!;
  }
  return base;
}

/** The labeling screen of one project: one task at a time, keyboard first. */
export function LabelingPage() {
  const { projectId = '' } = useParams();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const project = useQuery({ queryKey: workKeys.project(projectId), queryFn: () => workApi.project(projectId), staleTime: 0 });

  useEffect(() => {
    if (project.data) document.title = `${project.data.name} · ${t('app.name')}`;
  }, [project.data, t]);

  if (project.isPending) {
    return (
      <Stack>
        <Skeleton h={40} w="50%" />
        <Skeleton h={360} />
      </Stack>
    );
  }
  if (project.isError) {
    return (
      <Stack>
        <BackLink />
        <ErrorAlert error={project.error} />
      </Stack>
    );
  }
  return <Workbench key={projectId} project={project.data} onCounted={() => void qc.invalidateQueries({ queryKey: workKeys.project(projectId) })} />;
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <Button component={Link} to="/work" variant="subtle" size="compact-sm" leftSection={<IconArrowLeft size={16} />} w="fit-content" px={4}>
      {t('work.label.back')}
    </Button>
  );
}

function Workbench({ project, onCounted }: { project: WorkProject; onCounted: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  // The form of this visit: the project query refetches after every submit (today's figures),
  // which must not restart the task in hand.
  const [template] = useState(() => project.template);
  const [task, setTask] = useState<Task | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<ProblemsByControl>({});
  const [instructions, setInstructions] = useState(false);
  const [activeControl, setActiveControl] = useState<Control | null>(null);
  const phone = useMediaQuery('(max-width: 48em)');

  const taskRef = useRef(task);
  taskRef.current = task;
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  /** Asks for the next task and shows it once its images are in the browser's cache. */
  const loadNext = useCallback(
    async (after: Phase = 'loading') => {
      setPhase(after);
      setError(null);
      try {
        const a = await workApi.next(project.id);
        if (!a) {
          setTask(null);
          setPhase('done');
          void qc.invalidateQueries({ queryKey: workKeys.feed });
          return;
        }
        await preloadImages(imageUrls(template, a.item.data), 1500);
        setProblems({});
        setTask({ assignment: a, result: startingResult(template, a) });
        setPhase('ready');
      } catch (e) {
        setError(e);
        setPhase('error');
      }
    },
    [project.id, template, qc],
  );

  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (project.canWork) void loadNext();
    else setPhase('error');
  }, [project.canWork, loadNext]);

  const submit = useCallback(async () => {
    const current = taskRef.current;
    if (!current || phaseRef.current !== 'ready') return;
    const found = validateResult(template, current.result, current.assignment.item.data);
    if (found.length) {
      setProblems(problemsByControl(found));
      return;
    }
    setProblems({});
    setPhase('submitting');
    try {
      await workApi.submit(current.assignment.id, current.result);
      onCounted();
      // The server holds one live task per worker per project: ask for the next one right away.
      await loadNext('next');
    } catch (e) {
      if (isApiError(e) && e.code === 'validation_failed') {
        setProblems(problemsByControl(e.details, '/result'));
        setPhase('ready');
      } else if (isApiError(e) && (e.code === 'lease_expired' || e.status === 409 || e.status === 403)) {
        notifications.show({ color: 'orange', title: t('work.label.notStored'), message: errorMessage(e, t) });
        await loadNext('next');
      } else {
        // Network trouble: the answer stays; pressing submit again is safe (same Idempotency-Key).
        notifications.show({ color: 'red', title: t('work.label.notSent'), message: errorMessage(e, t) });
        setPhase('ready');
      }
    }
  }, [template, loadNext, onCounted, t]);

  const skip = useCallback(async () => {
    const current = taskRef.current;
    if (!current || phaseRef.current !== 'ready') return;
    setPhase('next');
    try {
      await workApi.skip(current.assignment.id);
    } catch (e) {
      notifications.show({ color: 'red', message: errorMessage(e, t) });
      setPhase('ready');
      return;
    }
    await loadNext('next');
  }, [loadNext, t]);

  // ---- page keys: submit, skip, instructions -------------------------------------------------
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isComposing(e)) return;
      const typing = isTypingTarget(e.target);
      if (e.key === 'Enter' && hasMod(e)) {
        e.preventDefault();
        if (!instructions) void submit();
        return;
      }
      if ((e.key === 's' || e.key === 'S') && hasMod(e) && !e.altKey) {
        e.preventDefault(); // not the browser's "save page"
        if (!instructions) void skip();
        return;
      }
      if (e.altKey || hasMod(e)) return;
      if (instructions) return; // the drawer handles its own keys (Escape closes it)
      if (e.key === 'Enter' && !e.shiftKey) {
        const el = e.target as HTMLElement | null;
        // Enter on a real button or link does what it says; in a long text it makes a new line.
        const plainButton = el?.closest?.('button, a, [role=button]') && !el.closest('[role=radio], [role=checkbox]');
        if (isMultilineTarget(el) || plainButton) return;
        if (typing && !(el instanceof HTMLInputElement)) return;
        e.preventDefault();
        void submit();
        return;
      }
      if (typing) return;
      if (e.key === 's' || e.key === 'S') {
        e.preventDefault();
        void skip();
      } else if (e.key === '?' || e.key === 'i' || e.key === 'I') {
        e.preventDefault();
        setInstructions(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [submit, skip, instructions]);

  const busy = phase === 'submitting' || phase === 'next';
  const a = task?.assignment;

  const onAnswer = useCallback((result: Result) => {
    const before = taskRef.current?.result ?? {};
    setTask((cur) => (cur ? { ...cur, result } : cur));
    // A control's problem goes away as soon as its answer changes (it is checked again on submit).
    setProblems((p) => {
      const changed = Object.keys(p).filter((name) => name !== '' && result[name] !== before[name]);
      if (changed.length === 0) return p;
      const next = { ...p };
      for (const name of changed) delete next[name];
      return next;
    });
  }, []);

  return (
    <Stack gap="md" pb={phone ? 0 : 'md'} data-testid="labeling-page" data-phase={phase} data-assignment-id={a?.id} data-item-id={a?.item.id}>
      <Header project={project} onInstructions={() => setInstructions(true)} expiresAt={phase === 'ready' ? a?.expiresAt : undefined} onExpired={() => void loadNext('next')} />

      {!project.canWork ? (
        <Alert color="orange" title={t('work.label.blocked')}>
          {project.blockedReason}
        </Alert>
      ) : phase === 'error' ? (
        <Stack>
          <ErrorAlert error={error} />
          <Group>
            <Button onClick={() => void loadNext()}>{t('common.retry')}</Button>
          </Group>
        </Stack>
      ) : phase === 'done' ? (
        <Paper withBorder p="xl" data-testid="no-more-tasks">
          <Stack align="flex-start" gap="sm">
            <Title order={2} fz={22}>
              {t('work.label.doneTitle')}
            </Title>
            <Text c="dimmed">{t('work.label.doneText', { count: project.today.count })}</Text>
            <Group>
              <Button component={Link} to="/work">
                {t('work.label.toFeed')}
              </Button>
              <Button variant="default" onClick={() => void loadNext()}>
                {t('work.label.checkAgain')}
              </Button>
            </Group>
          </Stack>
        </Paper>
      ) : !task ? (
        <Group justify="center" h={300}>
          <Loader />
        </Group>
      ) : (
        <>
          {task.assignment.kind === 'rework' ? (
            <Alert color="orange" variant="light" icon={<IconArrowBackUp size={20} />} title={t('work.label.reworkTitle')} data-testid="rework-comment">
              <Text size="sm" className="dure-item-text">
                {task.assignment.reworkComment || t('work.label.reworkNoComment')}
              </Text>
              <Text size="xs" c="dimmed" mt={4}>
                {t('work.label.reworkPrefilled')}
              </Text>
            </Alert>
          ) : null}
          <Box style={{ opacity: busy ? 0.55 : 1, transition: 'opacity 120ms ease' }} aria-busy={busy}>
            <LabelingForm
              key={task.assignment.id}
              template={template}
              data={task.assignment.item.data}
              value={task.result}
              onChange={busy ? undefined : onAnswer}
              problems={problems}
              keyboard={instructions ? 'none' : 'window'}
              upload={(file, onProgress) => workApi.upload(task.assignment.id, file, onProgress)}
              onActiveChange={setActiveControl}
              autoFocus={!phone}
            />
          </Box>
        </>
      )}

      {project.canWork && (phase === 'ready' || busy) ? (
        <ActionBar phase={phase} control={activeControl} onSubmit={() => void submit()} onSkip={() => void skip()} hasProblems={Object.keys(problems).length > 0} />
      ) : null}

      <Drawer
        opened={instructions}
        onClose={() => setInstructions(false)}
        position="right"
        size="lg"
        title={
          <Text fw={700} size="lg">
            {t('work.label.instructions')}
          </Text>
        }
      >
        {project.instructions.trim() ? <Markdown>{project.instructions}</Markdown> : <Text c="dimmed">{t('work.label.noInstructions')}</Text>}
      </Drawer>
    </Stack>
  );
}

function Header({ project, onInstructions, expiresAt, onExpired }: { project: WorkProject; onInstructions: () => void; expiresAt?: string; onExpired: () => void }) {
  const { t } = useTranslation();
  const volunteer = project.settings.payPerAnnotation === 0;
  return (
    <Stack gap={6}>
      <BackLink />
      <Group justify="space-between" align="center" gap="sm" wrap="wrap">
        <Stack gap={2} style={{ minWidth: 'min(100%, 260px)', flex: 1 }}>
          <Title order={1} fz={{ base: 20, sm: 24 }} lh={1.25}>
            {project.name}
          </Title>
          <Text size="sm" c="dimmed">
            {volunteer ? t('work.feed.volunteer') : t('work.label.payPerTask', { pay: formatWon(project.settings.payPerAnnotation) })}
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Paper withBorder px="sm" py={6} radius="md" data-testid="today">
            <Group gap="sm" wrap="nowrap">
              <Stack gap={0}>
                <Text size="xs" c="dimmed">
                  {t('work.label.todayCount')}
                </Text>
                <Text fw={700} data-testid="today-count" style={{ fontVariantNumeric: 'tabular-nums' }}>
                  {t('work.label.tasks', { count: project.today.count, n: formatNumber(project.today.count) })}
                </Text>
              </Stack>
              {volunteer ? null : (
                <Stack gap={0}>
                  <Text size="xs" c="dimmed">
                    {t('work.label.todayEarnings')}
                  </Text>
                  <Text fw={700} data-testid="today-earnings" style={{ fontVariantNumeric: 'tabular-nums' }}>
                    {formatWon(project.today.earnings)}
                  </Text>
                </Stack>
              )}
            </Group>
          </Paper>
          {expiresAt ? <LeaseClock expiresAt={expiresAt} onExpired={onExpired} /> : null}
          <Tooltip label={`${t('work.label.instructions')} (?)`}>
            <ActionIcon variant="light" size="xl" radius="md" onClick={onInstructions} aria-label={t('work.label.instructions')}>
              <IconBook2 size={22} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
    </Stack>
  );
}

/** Time left on the lease; a task whose time ran out is given up for the next one. */
function LeaseClock({ expiresAt, onExpired }: { expiresAt: string; onExpired: () => void }) {
  const { t } = useTranslation();
  const end = new Date(expiresAt).getTime();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = Math.max(0, Math.round((end - now) / 1000));
  const fired = useRef(false);
  useEffect(() => {
    if (left === 0 && !fired.current) {
      fired.current = true;
      notifications.show({ color: 'orange', message: t('work.label.expired') });
      onExpired();
    }
  }, [left, onExpired, t]);
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, '0');
  return (
    <Tooltip label={t('work.label.leaseLeft')}>
      <Badge size="lg" variant="light" color={left < 60 ? 'orange' : 'gray'} leftSection={<IconClock size={14} />} style={{ fontVariantNumeric: 'tabular-nums' }} aria-label={t('work.label.leaseLeftAria', { minutes: mm, seconds: ss })}>
        {mm}:{ss}
      </Badge>
    </Tooltip>
  );
}

function KeyHint({ keys, label }: { keys: string[]; label: string }) {
  return (
    <span className="dure-keyhint">
      {keys.map((k, i) => (
        <Kbd key={i} size="xs">
          {k}
        </Kbd>
      ))}
      {label}
    </span>
  );
}

/** The sticky bar: what the keys do now, and the two buttons (large on phones). */
function ActionBar({ phase, control, onSubmit, onSkip, hasProblems }: { phase: Phase; control: Control | null; onSubmit: () => void; onSkip: () => void; hasProblems: boolean }) {
  const { t } = useTranslation();
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  const mod = mac ? '⌘' : 'Ctrl';
  const controlHints: { keys: string[]; label: string }[] = [];
  if (control) {
    switch (control.type) {
      case 'single_choice':
      case 'rating': {
        const n = control.type === 'rating' ? control.scale : control.options.length;
        controlHints.push({ keys: n > 1 ? ['1', '–', String(Math.min(n, 9))] : ['1'], label: t('work.keys.choose') });
        break;
      }
      case 'multi_choice':
        controlHints.push({ keys: ['1', '–', String(Math.min(control.options.length, 9))], label: t('work.keys.toggle') });
        break;
      case 'pairwise':
        controlHints.push({ keys: ['A', 'B'], label: t('work.keys.pairwise') });
        if (control.allowEqual) controlHints.push({ keys: ['E'], label: t('work.keys.equal') });
        break;
      case 'bbox':
        controlHints.push({ keys: ['1', '–', String(Math.min(control.labels.length, 9))], label: t('work.keys.label') });
        controlHints.push({ keys: [t('work.keys.drag')], label: t('work.keys.drawBox') });
        controlHints.push({ keys: ['Del'], label: t('work.keys.deleteBox') });
        controlHints.push({ keys: [t('work.keys.wheel')], label: t('work.keys.zoom') });
        controlHints.push({ keys: ['Space', t('work.keys.drag')], label: t('work.keys.pan') });
        break;
      case 'span':
        controlHints.push({ keys: [t('work.keys.select'), '1', '–', String(Math.min(control.labels.length, 9))], label: t('work.keys.tagSpan') });
        break;
      case 'text':
      case 'number':
      case 'email':
        controlHints.push({ keys: ['Esc'], label: t('work.keys.leaveField') });
        break;
      default:
        break;
    }
  }
  const busy = phase === 'submitting' || phase === 'next';
  return (
    <div className="dure-action-bar" data-testid="action-bar">
      <Group justify="space-between" gap="sm" wrap="nowrap">
        <Group gap="md" visibleFrom="sm" style={{ rowGap: 4, minWidth: 0 }} aria-label={t('work.keys.title')}>
          <KeyHint keys={[mod, 'Enter']} label={t('work.keys.submit')} />
          <KeyHint keys={['S']} label={t('work.keys.skip')} />
          <KeyHint keys={['?']} label={t('work.keys.instructions')} />
          <KeyHint keys={['Tab']} label={t('work.keys.next')} />
          {controlHints.map((h, i) => (
            <KeyHint key={i} keys={h.keys} label={h.label} />
          ))}
        </Group>
        <Group gap="xs" wrap="nowrap" className="dure-action-buttons">
          <Button variant="default" size="md" leftSection={<IconPlayerSkipForward size={18} />} onClick={onSkip} disabled={busy} className="dure-action-skip">
            {t('work.label.skip')}
          </Button>
          <Button size="md" leftSection={busy ? <Loader size={16} color="white" /> : <IconCheck size={18} />} onClick={onSubmit} disabled={busy} color={hasProblems ? 'red' : undefined} className="dure-action-submit" data-testid="submit">
            {phase === 'next' ? t('work.label.loadingNext') : phase === 'submitting' ? t('work.label.submitting') : t('work.label.submit')}
          </Button>
        </Group>
      </Group>
    </div>
  );
}
