// Builds the desk's UI into web/dist, which the desk server serves (src/desk/api/app.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  // `npm run dev:web` proxies the API to a desk started with `failover-drill desk`.
  server: { proxy: { '/api': 'http://127.0.0.1:8780' } },
});
