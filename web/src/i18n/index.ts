import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import ko from './ko.json';

export const LANGUAGES = [
  { code: 'ko', label: '한국어' },
  { code: 'en', label: 'English' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

/** Where an explicit choice from the language switcher is remembered. */
export const LANGUAGE_STORAGE_KEY = 'dure.language';

// Detection: a choice the user made (localStorage) wins; otherwise the browser's preferred
// languages (navigator.languages, in order) — Korean if Korean comes first among ko/en, else
// English. The detected language is not written back, so only an explicit choice is remembered.
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { ko: { translation: ko }, en: { translation: en } },
    supportedLngs: ['ko', 'en'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: [],
    },
  });

const applyHtmlLang = (lng: string) => {
  document.documentElement.lang = currentLanguage(lng);
};
applyHtmlLang(i18n.resolvedLanguage ?? i18n.language);
i18n.on('languageChanged', applyHtmlLang);

export function currentLanguage(lng: string | undefined = i18n.resolvedLanguage ?? i18n.language): Language {
  return lng?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** Switch language and remember the choice for next visits. */
export async function chooseLanguage(lng: Language): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lng);
  } catch {
    // private mode or storage disabled: the switch still works for this visit
  }
  await i18n.changeLanguage(lng);
}

export default i18n;
