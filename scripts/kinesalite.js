// Starts kinesalite, a Kinesis-compatible server, on 127.0.0.1 only: its
// own command line listens on every interface. Streams become ACTIVE at
// once. Usage: node scripts/kinesalite.js PORT
// kinesalite is looked for in .tools/kinesalite (where
// scripts/kinesis-server.sh installs it) or in $KINESALITE_DIR.
'use strict'
const path = require('path')
const dir = process.env.KINESALITE_DIR || path.join(__dirname, '..', '.tools', 'kinesalite')
const kinesalite = require(path.join(dir, 'node_modules', 'kinesalite'))
const port = Number(process.argv[2] || 4567)
const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 })
server.listen(port, '127.0.0.1', () => {
  console.log(`kinesalite listening on http://127.0.0.1:${port}`)
})
const stop = () => server.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
