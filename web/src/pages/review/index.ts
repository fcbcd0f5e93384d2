export { ReviewListPage } from './ReviewListPage';
export { ReviewPage } from './ReviewPage';
