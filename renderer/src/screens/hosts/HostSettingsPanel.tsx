import { useState } from 'react';
import type { Host } from '../../../../main/common/contract';
import type { HostDefinitionView } from '../../../../main/common/sshHosts';
import { core } from '../../coreClient';
import { useI18n } from '../../i18n/useI18n';
import { hrefFor } from '../../router';
import { HostFormDialog } from './HostFormDialog';
import { TargetFormDialog } from './TargetFormDialog';
import type { TargetDefinitionView } from '../../../../main/common/promHosts';

/** An SSH host's connection settings on its detail screen: address, interval, pause/resume, edit, remove. */
export function HostSettingsPanel({ host }: { host: Host }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<HostDefinitionView | null>(null);
  const [editingTarget, setEditingTarget] = useState<TargetDefinitionView | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (host.kind !== 'ssh' && host.kind !== 'node_exporter') return null;
  const target = host.kind === 'node_exporter';
  const paused = host.status === 'paused';

  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await what();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel host-settings" data-testid="host-settings">
      <div className="panel-head">
        <h2 className="panel-title">{t('hostSettings.title')}</h2>
        {!host.provisioned && (
          <div className="form-actions">
            <button type="button" className="btn btn--small" data-testid="host-pause" disabled={busy} onClick={() => void act(() => (target ? core.call('targets/set-enabled', { hostId: host.id, enabled: paused }) : core.call('hosts/set-enabled', { hostId: host.id, enabled: paused })))}>
              {paused ? t('hostSettings.resume') : t('hostSettings.pause')}
            </button>
            <button type="button" className="btn btn--small" data-testid="host-edit" disabled={busy} onClick={() => void act(async () => (target ? setEditingTarget(await core.call('targets/definition', { hostId: host.id })) : setEditing(await core.call('hosts/definition', { hostId: host.id }))))}>
              {t('hostSettings.edit')}
            </button>
            <button type="button" className="btn btn--small btn--danger" data-testid="host-remove" disabled={busy} onClick={() => setConfirmRemove(true)}>
              {t('hostSettings.remove')}
            </button>
          </div>
        )}
      </div>
      <dl className="host-settings-facts">
        <div>
          <dt>{t(target ? 'hostSettings.url' : 'hostSettings.address')}</dt>
          <dd className="mono" data-testid="host-address">
            {host.address}
          </dd>
        </div>
        <div>
          <dt>{t('hostSettings.interval')}</dt>
          <dd className="num">{t('hostSettings.seconds', { seconds: host.pollIntervalMs / 1000 })}</dd>
        </div>
      </dl>
      {host.provisioned && <p className="field-hint">{t('hostSettings.provisioned')}</p>}
      {confirmRemove && (
        <div className="hostkey-confirm" role="alertdialog" aria-label={t('hostSettings.remove')}>
          <p>{t('hostSettings.removeConfirm', { name: host.name })}</p>
          <div className="form-actions">
            <button
              type="button"
              className="btn btn--danger-solid"
              data-testid="host-remove-confirm"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await (target ? core.call('targets/remove', { hostId: host.id }) : core.call('hosts/remove', { hostId: host.id }));
                  window.location.hash = hrefFor({ screen: 'overview' });
                })
              }
            >
              {t('hostSettings.removeYes')}
            </button>
            <button type="button" className="btn btn--plain" onClick={() => setConfirmRemove(false)}>
              {t('hostForm.cancel')}
            </button>
          </div>
        </div>
      )}
      {error && <p className="form-error">{error}</p>}
      {editing && <HostFormDialog definition={editing} onClose={() => setEditing(null)} />}
      {editingTarget && <TargetFormDialog definition={editingTarget} onClose={() => setEditingTarget(null)} />}
    </section>
  );
}
