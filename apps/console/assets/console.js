// Live updates without a reload: poll the cheap /api/pulse endpoint; when its fingerprint
// changes, fetch this page again and swap in its <main>. No framework, no build step.
;(() => {
  const pollMs = Number(document.body.dataset.pollMs || '0')
  const live = document.getElementById('live')
  if (!pollMs || !live) return
  let seen = null
  let busy = false
  const refresh = async () => {
    const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
    if (!res.ok) return
    const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('main')
    const main = document.querySelector('main')
    if (!next || !main) return
    const focused = document.activeElement && document.activeElement.id
    main.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)))
    if (focused) document.getElementById(focused)?.focus()
    live.textContent = 'Updated ' + new Date().toLocaleTimeString()
  }
  const tick = async () => {
    if (busy || document.hidden) return
    busy = true
    try {
      const res = await fetch('/api/pulse', { credentials: 'same-origin' })
      if (res.ok) {
        const { fingerprint } = await res.json()
        if (seen !== null && fingerprint !== seen) await refresh()
        seen = fingerprint
        document.body.dataset.fingerprint = fingerprint
      } else {
        live.textContent = 'Live updates paused (' + res.status + ')'
      }
    } catch {
      live.textContent = 'Live updates paused (offline)'
    } finally {
      busy = false
    }
  }
  tick()
  setInterval(tick, pollMs)
})()
