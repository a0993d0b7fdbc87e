// The registry writes the views offer, each one `act()` (registry-loader.ts): one at a time,
// result applied at once, toast with Undo, errors shown. Boolean results tell an inline editor
// whether to close.
import { call } from '../../bridge/client.ts';
import { act, type ActOutcome } from './registry-loader.ts';
import { POLICY_TAG } from './registry-model.ts';

export async function setDescription(storeId: string, name: string, version: number | null, description: string | null): Promise<boolean> {
  return (await act(storeId, () => call('updateRegistryDescription', { storeId, name, version, description }))).ok;
}

export async function setTag(storeId: string, name: string, version: number | null, key: string, value: string, success?: string): Promise<boolean> {
  return (await act(storeId, () => call('setRegistryTag', { storeId, name, version, key, value }), success ? { success: () => success } : {})).ok;
}

export async function deleteTag(storeId: string, name: string, version: number | null, key: string, success?: string): Promise<boolean> {
  return (await act(storeId, () => call('deleteRegistryTag', { storeId, name, version, key }), success ? { success: () => success } : {})).ok;
}

/** Sets or moves the alias (one action: an alias names one version per model). */
export async function setAlias(storeId: string, name: string, alias: string, version: number): Promise<ActOutcome> {
  return act(storeId, () => call('setAlias', { storeId, name, alias, version }), { quiet: true });
}

export async function deleteAlias(storeId: string, name: string, alias: string): Promise<boolean> {
  return (await act(storeId, () => call('deleteAlias', { storeId, name, alias }))).ok;
}

export async function transition(storeId: string, name: string, version: number, stage: string, archiveExisting: boolean, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('transitionStage', { storeId, name, version, stage, archiveExisting, comment }), { quiet: true });
}

export async function requestTransition(storeId: string, name: string, version: number, stage: string, archiveExisting: boolean, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('requestTransition', { storeId, name, version, stage, archiveExisting, comment }), { quiet: true });
}

export async function approve(storeId: string, name: string, version: number, requestId: number, comment: string | null): Promise<boolean> {
  return (await act(storeId, () => call('approveTransition', { storeId, name, version, requestId, comment }))).ok;
}

export async function reject(storeId: string, name: string, version: number, requestId: number, comment: string | null): Promise<boolean> {
  return (await act(storeId, () => call('rejectTransition', { storeId, name, version, requestId, comment }))).ok;
}

export async function deleteVersion(storeId: string, name: string, version: number, comment: string | null): Promise<ActOutcome> {
  return act(storeId, () => call('deleteModelVersion', { storeId, name, version, comment }), { quiet: true });
}

/** The approval rule is an ordinary model tag (so MLflow keeps it), removed when turned off. */
export async function setPolicy(storeId: string, name: string, on: boolean): Promise<boolean> {
  return on
    ? setTag(storeId, name, null, POLICY_TAG, 'true', `${name}: Production now needs an approved request`)
    : deleteTag(storeId, name, null, POLICY_TAG, `${name}: versions can move to Production directly again`);
}
