export { MyStatsPage } from './MyStatsPage';
export { FlagsPage } from './FlagsPage';
