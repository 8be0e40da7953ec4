// Errors and events
export { SquizzleError, isSquizzleError, hasErrorCode } from './errors/squizzle-error.js'
export type { SquizzleErrorOptions, PluginErrorCode } from './errors/squizzle-error.js'
export type { Remedy, RemedyOperation } from './errors/remedy.js'
export { definePluginErrors, type PluginErrors } from './errors/plugin-errors.js'
export { errorCategory, errorCodes, type ErrorCategory, type SquizzleErrorCode } from './errors/error-codes.js'
export { redactUrl, redactSecrets } from './errors/redact.js'
export { ignoreEvents, type EventSink, type SquizzleEvent, type LockHolderInfo } from './events/events.js'

// Versions, manifest, bundle
export { parseVersion, isVersion, compareVersions, sortVersions } from './version/version.js'
export { parsePinnedVersion, assertPinned, type PinnedVersion } from './version/pinned-version.js'
export {
  applyKinds,
  fileKinds,
  snapshotPath,
  type FileKind,
  type SqlKind,
  type Manifest,
  type ManifestFile,
  type ManifestChecksum,
  type TransactionScope,
} from './manifest/manifest.js'
export { manifestSchema } from './manifest/manifest-schema.js'
export { validateManifest, parseManifest, serializeManifest } from './manifest/validate-manifest.js'
export { computeChecksum, assertChecksum, currentChecksumAlgorithm } from './manifest/checksum.js'
export { canonicalJson } from './manifest/canonical-json.js'
export { writeBundle, sourceDateEpoch, type BundleEntry, type WriteBundleOptions } from './bundle/bundle-writer.js'
export {
  readBundle,
  bundleFiles,
  streamingBundleFiles,
  type BundleFile,
  type ReadBundleOptions,
  type StreamedBundleFile,
  type StreamingBundleFile,
} from './bundle/bundle-reader.js'
export { defaultBundleLimits, type BundleLimits } from './bundle/limits.js'
export { comparePaths, compareBundleFiles } from './bundle/file-order.js'

// Storage (transports: '@squizzle/core/oci')
export type {
  ArtifactStorage,
  ArtifactRef,
  VersionInfo,
  Attachment,
  PulledArtifact,
} from './storage/artifact-storage.js'
export { isArtifactStorage } from './storage/storage-brand.js'
export type { ContentTarget, TaggedDescriptor } from './oci/content-target.js'
export type { Descriptor } from './oci/descriptor.js'
export { createTargetStorage } from './oci/target-storage.js'
export { readThroughCache } from './oci/read-through-target.js'
export { copyVersion } from './oci/copy-version.js'
export { importVersions, type ImportOptions, type ImportedVersion } from './oci/import-versions.js'
export { offlineVersions, type OfflineSelection } from './offline/offline-versions.js'
export type { OfflineFile, OfflineVersion } from './offline/offline-types.js'

// Database
export type {
  DatabaseDriver,
  DriverTransaction,
  RecordStore,
  MigrationLock,
  MigrationUnit,
  MigrationScript,
  MigrationPieces,
  RunOptions,
  TransactionRunOptions,
  HistoryEntry,
  HistoryEntryInput,
  ProgressInput,
  ProgressEntry,
  AuditInput,
  KeptFile,
  VersionClaim,
  IndexTarget,
  InvalidIndex,
} from './driver/database-driver.js'

export { connectWithRetry, notReadyReason } from './driver/connect-with-retry.js'
export type { ConnectRetryOptions, NotReadyReason } from './driver/connect-with-retry.js'

// Signing
export type {
  Signer,
  Verifier,
  SignatureBundle,
  TrustPolicy,
  TrustedIdentity,
  VerifiedIdentity,
  VerifiedSignature,
  ArtifactPolicy,
} from './signing/signing.js'

// Engine and build
export {
  Migrator,
  type MigratorOptions,
  type ApplyOptions,
  type ApplyResult,
  type StatusReport,
} from './engine/migrator.js'
export type { RollbackOptions, RollbackResult, RollbackCheck } from './engine/rollback.js'
export type { BaselineOptions, BaselineResult } from './engine/baseline.js'
export type { BaselineSchema } from './engine/baseline-schema.js'
export type { RepairOptions, RepairResult } from './engine/repair.js'
export {
  verifyVersion,
  verifyPulled,
  type VerifyReport,
  type VerifyOptions,
  type VerifiedArtifact,
} from './engine/verify-version.js'
export { dryRunVersion, type DryRunVersion } from './engine/dry-run.js'
export { currentActor, type Actor } from './engine/actor.js'
export { unchainedError } from './engine/chain.js'
export type { ChainStatus } from './engine/migrator.js'
export { buildVersion, type BuildOptions, type BuildResult, type NewSourceFile } from './build/build-version.js'
export { findSourceFiles, type SourceFile, type SourceFolders } from './build/source-files.js'

// The release ledger (db/squizzle.sum)
export { checkRepository } from './ledger/repository-files.js'
export { defaultLedgerPath, emptyLedger, latestRelease, releasedFiles, appendRelease } from './ledger/ledger.js'
export type { Ledger, LedgerVersion, LedgerFile } from './ledger/ledger.js'
export { parseLedger, serializeLedger } from './ledger/ledger-format.js'
export { readLedgerFile, writeLedgerFile } from './ledger/ledger-file.js'
export { compareWithStorage, assertMatchesStorage, ledgerStorageError } from './ledger/ledger-storage.js'
export type { LedgerProblem, LedgerNames } from './ledger/ledger-storage.js'
export { ledgerFromStorage, type RebuildLedgerOptions } from './ledger/rebuild-ledger.js'

// Schema snapshots, replay and drift
export {
  schemaSnapshotFormat,
  schemaObjectKinds,
  schemaSnapshotSchema,
  normalizeSnapshot,
  serializeSnapshot,
  parseSnapshot,
  type SchemaSnapshot,
  type SchemaObject,
  type SchemaObjectKind,
  type SchemaValue,
} from './snapshot/schema-snapshot.js'
export { diffSnapshots, type SchemaDifference, type PropertyChange } from './snapshot/diff-snapshots.js'
export type { ScratchDatabase, ScratchDatabaseFactory } from './replay/scratch-database.js'
export { withCandidate, type CandidateVersion } from './replay/candidate-storage.js'
export {
  replayVersions,
  type ReplayOptions,
  type ReplayResult,
  type ReplayCheck,
  type ReplayContext,
} from './replay/replay-versions.js'
export { replayKey, type ReplayCache, type RestoredReplay } from './replay/replay-cache.js'
export type { PendingKeep, StoredVersion } from './replay/pending-keep.js'
export { rollbackRoundTrip } from './replay/rollback-round-trip.js'
export { versionSnapshot } from './drift/version-snapshot.js'
export { checkDrift, type DriftReport, type DriftStatus, type CheckDriftOptions } from './drift/check-drift.js'
export { diffVersions, type VersionDiff } from './drift/diff-versions.js'
export type { SnapshotOptions } from './build/record-snapshot.js'

// Plugins: what a plugin author writes, and what a host (the CLI) loads it with
export { pluginApiVersion } from './plugin/plugin-api-version.js'
export { definePlugin, isSquizzlePlugin, pluginBrand } from './plugin/plugin.js'
export type { SquizzlePlugin, PluginDefinition, PluginKind, PluginContext, PluginInstances } from './plugin/plugin.js'
export type { PluginUse } from './plugin/plugin-use.js'
export { pluginFromModule, type PluginExpectation } from './plugin/check-plugin.js'
export { pluginOptions } from './plugin/plugin-options.js'
export { pluginSecrets, redactPluginOptions } from './plugin/plugin-secrets.js'
export { createPluginInstance, type PluginStorage } from './plugin/create-plugin-instance.js'

// Fleets: one version to many databases, staged, bounded, resumable, shardable
export { rollout, type RolloutOptions } from './fleet/rollout.js'
export { planRollout, type RolloutPlan, type TargetPlan } from './fleet/plan-rollout.js'
export { fleetStatus, type FleetStatus, type TargetStatus } from './fleet/fleet-status.js'
export type { InspectOptions } from './fleet/inspect-targets.js'
export type { DriverFactory } from './fleet/apply-target.js'
export { shard } from './fleet/shard.js'
export { planStages, type FleetStage, type FailureThreshold, type StagePlan } from './fleet/fleet-stage.js'
export { resolveConnection, checkTargets, connectionPasswords } from './fleet/fleet-target.js'
export type { FleetTarget, ConnectableTarget, TargetEnvironment } from './fleet/fleet-target.js'
export { countResults, type RolloutReport, type FleetTargetReport } from './fleet/fleet-report.js'
export type { TargetResult, TargetError, RolloutHalt } from './fleet/fleet-report.js'
