import { Metadata, MetadataKind, TargetFile, Targets } from '@tufjs/models';

type FromJsonInput = Parameters<typeof Metadata.fromJSON>[1];
type TargetsJson = ReturnType<Targets['toJSON']>;

/**
 * Targets metadata as @tufjs/models reads it, in time linear in the number of targets. The
 * library builds and serialises the targets map by spreading the map so far into a new object
 * for every entry, which is quadratic: a 1,000-board building's targets.json (2,001 targets)
 * took 0.65 s to read and 0.7 s to serialise again for its signature check, in every process
 * that boots a board of it (a real board's shim is such a process, on a far slower CPU). The
 * library still checks everything else; each target is read by its own TargetFile.fromJSON,
 * and serialised by the same fields in the same order, so the signed bytes are unchanged.
 */
export function parseTargetsMetadata(json: FromJsonInput): Metadata<Targets> {
  const signed: unknown = json['signed'];
  const targets = typeof signed === 'object' && signed !== null && !Array.isArray(signed) ? (signed as Record<string, unknown>)['targets'] : undefined;
  // Anything unusual (no signed part, targets that are not an object) is the library's to refuse.
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) return Metadata.fromJSON(MetadataKind.Targets, json);
  const shell = Metadata.fromJSON(MetadataKind.Targets, { ...json, signed: { ...(signed as FromJsonInput), targets: {} } });
  const files: Record<string, TargetFile> = {};
  for (const [path, target] of Object.entries(targets as FromJsonInput)) files[path] = TargetFile.fromJSON(path, target as FromJsonInput);
  const { version, specVersion, expires, unrecognizedFields, delegations } = shell.signed;
  const linear = new LinearTargets({ version, specVersion, expires, unrecognizedFields, targets: files, ...(delegations === undefined ? {} : { delegations }) });
  return new Metadata(linear, shell.signatures, shell.unrecognizedFields);
}

/** Targets whose toJSON is the library's, field for field, without its quadratic map. */
class LinearTargets extends Targets {
  override toJSON(): TargetsJson {
    const targets: TargetsJson = {};
    for (const [path, file] of Object.entries(this.targets)) targets[path] = file.toJSON();
    const json: TargetsJson = { _type: this.type, spec_version: this.specVersion, version: this.version, expires: this.expires, targets, ...this.unrecognizedFields };
    if (this.delegations !== undefined) json['delegations'] = this.delegations.toJSON();
    return json;
  }
}
