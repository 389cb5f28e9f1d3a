// What `npm run dev` prints once the demo instance is seeded. Keep in step with src/db/seed.ts and README.
export const DEMO_BANNER = (base) => `
────────────────────────────────────────────────────────────
 Switchboard is running at ${base}
   Health:        ${base}/healthz
   API:           ${base}/api/v1

 Demo instance "Demo Company"
   Admin:         admin@demo.test / switchboard-admin
   Agents:        alice@demo.test, bob@demo.test / switchboard-agent
   Supervisor:    carol@demo.test / switchboard-agent
   Phone number:  +15550100 (Demo IVR: 1 billing, 2 support)
   Twilio (dev):  AccountSid ACdeadbeefdeadbeefdeadbeefdeadbeef
                  AuthToken  dev-only-auth-token-0123456789ab
────────────────────────────────────────────────────────────
`;
