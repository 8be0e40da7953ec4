// The registry transport, in a module of its own: imported (dynamically) only when a storage
// URL names a registry, so runs on a local layout never load the HTTP, TLS and auth code.
export { createOciStorage } from '@squizzle/storage-oci'
