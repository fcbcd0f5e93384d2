import 'i18next';
import type en from './en.json';

// Typed keys: t('nav.findWork') is checked at compile time against en.json (ko.json mirrors it).
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
