import { Anchor, Button, Group, PasswordInput, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { isApiError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { currentLanguage } from '../i18n';
import { fieldError } from '../lib/errors';
import { AuthCard } from './AuthCard';

type SignupRole = 'worker' | 'requester';
const FIELDS = ['email', 'password', 'displayName', 'organisationName'] as const;

export function SignupPage() {
  const { t } = useTranslation();
  const { signup } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [role, setRole] = useState<SignupRole>(params.get('role') === 'requester' ? 'requester' : 'worker');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [organisationName, setOrganisationName] = useState('');

  const err = signup.error;
  // An error the form can pin to a field is shown there; anything else goes in the alert on top.
  const perField = Object.fromEntries(FIELDS.map((f) => [f, fieldError(err, f, t)])) as Record<(typeof FIELDS)[number], string | undefined>;
  const pinned = Object.values(perField).some(Boolean);
  const edited = () => {
    if (signup.error) signup.reset();
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    signup.mutate(
      {
        email: email.trim(),
        password,
        displayName: displayName.trim(),
        role,
        organisationName: role === 'requester' && organisationName.trim() ? organisationName.trim() : undefined,
        locale: currentLanguage(),
      },
      { onSuccess: () => void navigate('/home', { replace: true }) },
    );
  };

  return (
    <AuthCard
      title={t('auth.signupTitle')}
      lead={t('auth.signupLead')}
      footer={
        <>
          {t('auth.haveAccount')}{' '}
          <Anchor component={Link} to="/login" fw={600}>
            {t('auth.toLogin')}
          </Anchor>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {err && !pinned ? <ErrorAlert error={err} /> : null}

          <Radio.Group label={t('auth.role')} value={role} onChange={(v) => { setRole(v as SignupRole); edited(); }} required>
            <Stack gap="xs" mt={6}>
              <RoleCard value="worker" title={t('auth.roleWorkerTitle')} text={t('auth.roleWorkerText')} />
              <RoleCard value="requester" title={t('auth.roleRequesterTitle')} text={t('auth.roleRequesterText')} />
            </Stack>
          </Radio.Group>

          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => { setEmail(e.currentTarget.value); edited(); }}
            error={perField.email}
          />
          {isApiError(err) && err.code === 'email_taken' ? (
            <Anchor component={Link} to="/login" size="sm" mt={-8} fw={600}>
              {t('auth.toLogin')} →
            </Anchor>
          ) : null}
          <PasswordInput
            label={t('auth.password')}
            description={t('auth.passwordHint')}
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => { setPassword(e.currentTarget.value); edited(); }}
            error={perField.password}
          />
          <TextInput
            label={t('auth.displayName')}
            description={t('auth.displayNameHint')}
            autoComplete="nickname"
            required
            value={displayName}
            onChange={(e) => { setDisplayName(e.currentTarget.value); edited(); }}
            error={perField.displayName}
          />
          {role === 'requester' ? (
            <TextInput
              label={t('auth.organisation')}
              description={t('auth.organisationHint')}
              autoComplete="organization"
              value={organisationName}
              onChange={(e) => { setOrganisationName(e.currentTarget.value); edited(); }}
              error={perField.organisationName}
            />
          ) : null}
          <Button type="submit" size="md" loading={signup.isPending} fullWidth mt="xs">
            {t('auth.signupSubmit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}

function RoleCard({ value, title, text }: { value: SignupRole; title: string; text: string }) {
  return (
    <Radio.Card value={value} radius="md" p="md">
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <Radio.Indicator mt={2} />
        <div>
          <Text fw={600} size="sm">
            {title}
          </Text>
          <Text size="xs" c="dimmed" mt={2} lh={1.55}>
            {text}
          </Text>
        </div>
      </Group>
    </Radio.Card>
  );
}
