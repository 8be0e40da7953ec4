// Conformance suites and fixtures for plugin authors: `import { describeStorage } from '@squizzle/core/testing'`.
export { describeDriver, type DriverFactory } from './describe-driver.js'
export { describeStorage, type StorageFixture } from './describe-storage.js'
export { describeContentTarget, type ContentTargetFixture } from './describe-content-target.js'
export { contentTargetChecks, concurrentCalls, type ContentTargetCheck } from './target-suite/checks.js'
export { makeTestVersion, type TestVersion, type TestVersionOptions } from './fixtures.js'
