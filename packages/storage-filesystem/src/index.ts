export { createFilesystemStorage } from './filesystem-storage.js'
export { OciLayoutTarget } from './oci-layout-target.js'
