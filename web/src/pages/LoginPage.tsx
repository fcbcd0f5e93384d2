import { Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthCard } from './AuthCard';

export function LoginPage() {
  const { t } = useTranslation();
  const { login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      { onSuccess: () => void navigate(from && from.startsWith('/') ? from : '/home', { replace: true }) },
    );
  };

  return (
    <AuthCard
      title={t('auth.loginTitle')}
      lead={from ? t('auth.sessionExpired') : t('auth.loginLead')}
      footer={
        <>
          {t('auth.noAccount')}{' '}
          <Anchor component={Link} to="/signup" fw={600}>
            {t('auth.toSignup')}
          </Anchor>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          <ErrorAlert error={login.error} />
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            autoFocus
          />
          <PasswordInput
            label={t('auth.password')}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" size="md" loading={login.isPending} fullWidth mt="xs">
            {t('auth.loginSubmit')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
