export type ProjectStatus = 'draft' | 'active' | 'paused' | 'completed' | 'archived';

/** The project lifecycle: draft → active ⇄ paused → completed → archived. */
export const TRANSITIONS: Record<ProjectStatus, ProjectStatus[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'completed'],
  paused: ['active', 'completed'],
  completed: ['archived', 'active'],
  archived: [],
};

export const canTransition = (from: ProjectStatus, to: ProjectStatus) => TRANSITIONS[from].includes(to);
