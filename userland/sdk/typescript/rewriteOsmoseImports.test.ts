import { describe, expect, it } from 'vitest';
import { rewriteOsmoseImports } from './rewriteOsmoseImports.js';

describe('rewriteOsmoseImports', () => {
  it('imports each namespace straight from its module and keeps the other names, on the same lines', () => {
    const source = `import { app, gpio, Status, audio as sound } from "osmose";\nconst x = 1;\nimport {\n  presence, // who is here\n  EventKind,\n} from 'osmose';\n`;
    const rewritten = rewriteOsmoseImports(source);
    expect(rewritten).toBe(
      `import { app, Status } from "osmose"; import * as gpio from "osmose/gpio"; import * as sound from "osmose/audio";\nconst x = 1;\nimport { EventKind } from "osmose"; import * as presence from "osmose/presence";\n\n\n\n`,
    );
    expect(rewritten.split('\n').length).toBe(source.split('\n').length);
  });

  it('leaves type-only imports, other modules and an import of namespaces alone but for the rewrite', () => {
    expect(rewriteOsmoseImports(`import type { Person } from "osmose";\nimport { gpio } from "./mine";`)).toBe(`import type { Person } from "osmose";\nimport { gpio } from "./mine";`);
    expect(rewriteOsmoseImports(`import { clock } from "osmose";`)).toBe(`import * as clock from "osmose/clock";`);
  });
});
