/** Reading back what a training subcommand saved: the newest checkpoint under <dir>/<part>. */
import { type CheckpointMeta, loadLatest, restoreModel, type TrainableModel } from '@strand/trainer';
import { directoryStore } from '@strand/trainer/node';
import { UsageError } from '../../frame/errors.js';

export async function loadPart(
  dir: string,
  part: string,
  trainCommand: string,
): Promise<{ model: TrainableModel; extra: Record<string, unknown>; meta: CheckpointMeta }> {
  const path = `${dir}/${part}`;
  const checkpoint = await loadLatest(directoryStore(path)).catch(() => null);
  if (checkpoint === null)
    throw new UsageError(
      `no ${part} checkpoint found in ${path}: train one first with \`${trainCommand} --out ${dir}\``,
    );
  const extra = checkpoint.meta.extra;
  if (extra === null || typeof extra !== 'object' || !('vocabulary' in extra))
    throw new UsageError(`the checkpoint in ${path} was not written by \`${trainCommand}\``);
  return { model: restoreModel(checkpoint), extra: extra as Record<string, unknown>, meta: checkpoint.meta };
}
