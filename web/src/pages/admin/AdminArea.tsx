// The admin area: national figures, the national list of requests, banks and reviewer
// accounts, degraded mode, each its own page under one sub-navigation.
import { Outlet, useRouterState } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { Link, SubNav } from '../../ui';

export function AdminArea() {
  const { t } = useTranslation();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const current = (p: string) => (path === p ? ('page' as const) : undefined);
  return (
    <>
      <SubNav
        label={t('admin.navLabel')}
        items={[
          <Link to="/admin" activeOptions={{ exact: true }} aria-current={current('/admin') ?? current('/admin/')}>
            {t('admin.nav.stats')}
          </Link>,
          <Link to="/admin/demandes" aria-current={current('/admin/demandes')}>
            {t('admin.nav.requests')}
          </Link>,
          <Link to="/admin/banques" aria-current={current('/admin/banques')}>
            {t('admin.nav.banks')}
          </Link>,
          <Link to="/admin/mode-degrade" aria-current={current('/admin/mode-degrade')}>
            {t('admin.nav.degraded')}
          </Link>,
        ]}
      />
      <Outlet />
    </>
  );
}
