import { useEffect, useState } from 'react';
import { takeDialogRequest, useUiRequests } from '../../stores/uiRequests';
import type { Host } from '../../../../main/common/contract';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { HostFormDialog } from './HostFormDialog';
import { HostKeyPrompt } from './HostKeyPrompt';
import { ImportDialog } from './ImportDialog';

/** The overview's "Add host" and "Import from ~/.ssh/config" buttons and their dialogs. */
export function HostsToolbar() {
  const { t } = useI18n();
  const [open, setOpen] = useState<'add' | 'import' | null>(null);
  // Asked for from the command palette.
  const requested = useUiRequests((s) => s.dialog);
  useEffect(() => {
    if (takeDialogRequest('add-host')) setOpen('add');
    else if (takeDialogRequest('import-hosts')) setOpen('import');
  }, [requested]);
  return (
    <div className="form-actions">
      <button type="button" className="btn btn--primary" data-testid="add-host" onClick={() => setOpen('add')}>
        {t('hosts.add')}
      </button>
      <button type="button" className="btn" data-testid="import-hosts" onClick={() => setOpen('import')}>
        {t('hosts.import')}
      </button>
      {open === 'add' && <HostFormDialog onClose={() => setOpen(null)} onSaved={(id) => (window.location.hash = hrefFor({ screen: 'host', hostId: id }))} />}
      {open === 'import' && <ImportDialog onClose={() => setOpen(null)} />}
    </div>
  );
}

/** Hosts waiting on a host key decision, above the fleet: they cannot be watched until someone decides. */
export function HostKeyPrompts({ hosts }: { hosts: readonly Host[] }) {
  const waiting = hosts.filter((h) => h.hostKey);
  if (waiting.length === 0) return null;
  return (
    <div className="hostkey-list" data-testid="hostkey-list">
      {waiting.map((h) => (
        <HostKeyPrompt key={h.id} host={h} />
      ))}
    </div>
  );
}
