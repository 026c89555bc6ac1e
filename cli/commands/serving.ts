import { readFileSync } from 'node:fs';
import { signedFetch } from '../sign.js';
import { parseVersion, type CliContext } from '../context.js';

/** The served model: predictions through the API, and model cards. */
export function servingCommands(ctx: CliContext): void {
  const { program } = ctx;
  program
    .command('predict')
    .description('call the inference API with a JSON file of {"instances": [...]}')
    .argument('<model>')
    .argument('<file>')
    .action(
      ctx.withConnection(async (c, model: string, file: string) => {
        const response = await signedFetch({
          url: `${c.apiUrl}/v1/models/${encodeURIComponent(model)}/predict`,
          body: readFileSync(file, 'utf8'),
          region: c.region,
          credentials: c.credentials,
        });
        const body = (await response.json()) as unknown;
        if (!response.ok)
          throw new Error(
            `the API answered ${response.status}: ${(body as { message?: string }).message ?? JSON.stringify(body)}`,
          );
        console.log(JSON.stringify(body, null, ctx.json() ? 2 : 0));
      }),
    );

  program
    .command('report')
    .description("write a version's model card (HTML) to a file")
    .argument('<model>', 'model name, as in models/<model>.json')
    .argument('[version]', 'version number (default: production, else the latest)')
    .option('-o, --out <file>', 'where to write it (default reports/<model>-v<version>.html)')
    .option('--open', 'open it in the browser')
    .action(
      ctx.withConnection(
        async (c, model: string, version: string | undefined, options: { out?: string; open?: boolean }) => {
          // Loaded on use: the card's renderer (charts included) is the heaviest import of the CLI.
          const { writeReport } = await import('../report.js');
          console.log(await writeReport(c, model, version === undefined ? undefined : parseVersion(version), options));
        },
      ),
    );
}
