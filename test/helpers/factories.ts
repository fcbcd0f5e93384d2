import type { Client, TestApp } from './app.ts';

export const CHOICE_TEMPLATE = {
  display: [{ type: 'text', field: 'text' }],
  controls: [{ type: 'single_choice', name: 'label', options: ['pos', 'neg'] }],
};

/** Creates a project through the API as `requester` and returns its JSON. */
export async function createProject(
  requester: Client,
  opts: { name?: string; template?: unknown; settings?: Record<string, unknown>; instructions?: string } = {},
) {
  const res = await requester.post('/api/projects', {
    name: opts.name ?? 'test project',
    instructions: opts.instructions ?? 'Label each sentence.',
    template: opts.template ?? CHOICE_TEMPLATE,
    settings: opts.settings ?? {},
  });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json().project as { id: string; settings: Record<string, any>; [k: string]: any };
}

/**
 * Inserts items straight into the database (fast, for tests that are not about import).
 * `gold` entries make gold items with those answers.
 */
export async function insertItems(
  t: TestApp,
  projectId: string,
  data: Record<string, unknown>[],
  opts: { target?: number; gold?: (Record<string, unknown> | null)[] } = {},
) {
  const project = await t.db.db.selectFrom('projects').select('settings').where('id', '=', projectId).executeTakeFirstOrThrow();
  const target = opts.target ?? Number((project.settings as { overlap: number }).overlap);
  const rows = data.map((d, i) => {
    const gold = opts.gold?.[i] ?? null;
    return { project_id: projectId, data: JSON.stringify(d), gold: gold ? JSON.stringify(gold) : null, is_gold: gold !== null, target };
  });
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const r = await t.db.db.insertInto('items').values(rows.slice(i, i + 1000)).returning('id').execute();
    ids.push(...r.map((x) => x.id));
  }
  return ids;
}

/**
 * Publishes a project. A paid project is funded first (1,000,000 won unless `fund` says how much,
 * `fund: false` for none) when nothing was deposited yet: in the running platform a claim on an
 * unfunded project is refused, and most tests are not about money. Money tests fund exact amounts
 * before publishing, which this leaves alone.
 */
export async function publish(requester: Client, projectId: string, opts: { fund?: number | false } = {}) {
  if (opts.fund !== false) await fundIfUnfunded(requester, projectId, opts.fund ?? 1_000_000);
  const res = await requester.post(`/api/projects/${projectId}/publish`);
  if (res.statusCode !== 200) throw new Error(`publish failed: ${res.statusCode} ${res.body}`);
  return res.json().project;
}

/** Funds a paid project with `amount` won when nothing has been deposited into it yet. */
export async function fundIfUnfunded(requester: Client, projectId: string, amount = 1_000_000) {
  const budget = await requester.get(`/api/projects/${projectId}/budget`);
  if (budget.statusCode !== 200) throw new Error(`read budget failed: ${budget.statusCode} ${budget.body}`);
  const b = budget.json().budget;
  // costPerTask is 0 exactly for a volunteer project (pay 0).
  if (b.costPerTask === 0 || b.deposited > 0 || b.pending > 0) return;
  const res = await requester.post(`/api/projects/${projectId}/fund`, { amount });
  if (res.statusCode !== 200) throw new Error(`fund failed: ${res.statusCode} ${res.body}`);
}
