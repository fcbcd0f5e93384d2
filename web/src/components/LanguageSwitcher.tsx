import { Button, Menu } from '@mantine/core';
import { IconCheck, IconLanguage } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, LANGUAGES } from '../i18n';

/**
 * The language menu. Its label is bilingual ("Language / 언어") on purpose: someone who cannot
 * read the current language must still find it. Each language is named in itself.
 */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const current = currentLanguage(i18n.resolvedLanguage);
  const label = LANGUAGES.find((l) => l.code === current)!.label;
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <Button variant="subtle" color="gray" size="compact-md" leftSection={<IconLanguage size={18} />} aria-label={t('language.switch')}>
          {label}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {LANGUAGES.map((l) => (
          <Menu.Item
            key={l.code}
            lang={l.code}
            onClick={() => void chooseLanguage(l.code)}
            rightSection={l.code === current ? <IconCheck size={14} /> : null}
          >
            {l.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
