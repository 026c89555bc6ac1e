import { RequestValidationError } from '../core/errors.js';
import type { FeedbackItem } from '../shared/contracts/api-contracts.js';
import { PRODUCTION_ALIAS } from '../shared/contracts/registry-keys.js';
import type { Registry } from '../shared/adapters/registry.js';
import { isActive, type ReleaseStore } from '../shared/adapters/release-store.js';

/** The classes feedback may name, and the versions they come from (for the message that lists them). */
interface Served {
  readonly classes: ReadonlySet<string>;
  readonly versions: readonly number[];
  /** False when a served version predates recorded classes: its labels cannot be checked. */
  readonly known: boolean;
  readonly readAt: number;
}

/** How long a container trusts what it read before an accepted label makes it read again. */
const TRUST_MS = 30_000;

/**
 * The classes of the versions serving a classifier now — production, and a release's candidate — which is what a
 * truth has to name to be scored against a prediction: a typo (`">50K "`) or a foreign label (`"banana"`) is a 400
 * naming the classes, not a record that silently never matches. Read from the registry and kept per container;
 * a label that is not among the kept classes reads them again before it is refused (a promotion may have added one).
 */
export class ServedClasses {
  private readonly byModel = new Map<string, Served>();

  constructor(
    private readonly registry: Pick<Registry, 'aliases' | 'versions'>,
    private readonly releases: Pick<ReleaseStore, 'get'>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Refuses the first label no served version predicts; accepts any when nothing is served or classes predate records. */
  async check(model: string, items: readonly FeedbackItem[]): Promise<void> {
    const labelled = items
      .map((item, index) => ({ index, label: item.label }))
      .filter((entry): entry is { index: number; label: string } => typeof entry.label === 'string');
    if (labelled.length === 0) return;
    const kept = this.byModel.get(model);
    const trusted =
      kept !== undefined &&
      this.clock() - kept.readAt < TRUST_MS &&
      labelled.every((entry) => kept.classes.has(entry.label));
    const served = trusted ? kept : await this.read(model);
    if (!served.known || served.versions.length === 0) return;
    const stranger = labelled.find((entry) => !served.classes.has(entry.label));
    if (stranger === undefined) return;
    const names = [...served.classes].map((name) => JSON.stringify(name)).join(', ');
    const versions = served.versions.map((v) => `v${v}`).join(' and ');
    throw new RequestValidationError(
      `feedback[${stranger.index}].label ${JSON.stringify(stranger.label)} is not a class that ${model} ${versions} predict${served.versions.length > 1 ? '' : 's'}: send one of ${names} exactly (classes are case- and space-sensitive)`,
    );
  }

  private async read(model: string): Promise<Served> {
    const [production, release] = await Promise.all([
      this.registry.aliases.get(model, PRODUCTION_ALIAS),
      this.releases.get(model),
    ]);
    const versions = [
      ...new Set(
        [production?.version, isActive(release) ? release.candidateVersion : undefined].filter(
          (v): v is number => v !== undefined,
        ),
      ),
    ];
    const records = await Promise.all(versions.map((version) => this.registry.versions.get(model, version)));
    const classes = new Set(records.flatMap((record) => record?.classes ?? []));
    const served: Served = {
      classes,
      versions,
      known: records.every((record) => record?.classes !== undefined),
      readAt: this.clock(),
    };
    this.byModel.set(model, served);
    return served;
  }
}
