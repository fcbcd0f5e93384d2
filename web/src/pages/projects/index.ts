/** The requester's project pages (see CONTEXT.md). */
export { ProjectsListPage } from './ProjectsListPage';
export { NewProjectPage } from './NewProjectPage';
export { CreateProjectPage } from './CreateProjectPage';
export { ProjectPage } from './ProjectPage';
