import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './ui';
import './app/app.css';
import { App } from './app/App';
import { loadConfig } from './auth/config';
import { consumeSignedOutFlag } from './auth/session';
import { initI18n } from './i18n';

// Back from the provider's logout (which returns to `/`): show the signed-out page.
if (consumeSignedOutFlag() && location.pathname === '/') history.replaceState(null, '', '/deconnecte');

const [config] = await Promise.all([loadConfig(), initI18n()]);
if (!config.ok) console.warn(`Sign-in disabled: /config.json ${config.problem}: ${config.detail}`);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
