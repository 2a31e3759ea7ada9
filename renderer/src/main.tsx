import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { startCore } from './coreClient';
import { startHostsSync } from './stores/hosts';
import { startAlertsSync } from './stores/alerts';
import { startToasts } from './stores/toasts';
import { startCloudsSync } from './stores/clouds';
import { startChecksSync } from './stores/checks';
import { startAnomalyRatesSync } from './stores/anomalyRates';
import { startLanguageSync } from './stores/languageSync';
import { startSecretStorageSync } from './stores/secretStorage';
import { startTimeSync } from './stores/timeSelection';
import { startProvisioningSync } from './stores/provisioning';
import { startHistorySourceSync } from './stores/historySource';
import './styles.css';

// zod compiles object parsers with `new Function` when it can; our CSP
// forbids eval, so tell it not to try (it would log a CSP violation).
z.config({ jitless: true });

startHostsSync();
startAlertsSync();
startToasts();
startCloudsSync();
startChecksSync();
startAnomalyRatesSync();
startLanguageSync();
startSecretStorageSync();
startProvisioningSync();
startHistorySourceSync();
startTimeSync();
startCore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
