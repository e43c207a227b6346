// The Funnel extension: starts `funnel lsp` (the language server built into
// the `funnel` binary) for every `.funnel` file and hands VS Code's editor
// features to it. Highlighting comes from the TextMate grammar in
// syntaxes/, snippets from snippets/; everything else is the server's.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("funnel");
  const command = config.get<string>("server.path") || "funnel";
  const debounce = config.get<number>("server.debounce") ?? 100;
  const run = {
    command,
    args: ["lsp", "--debounce", String(debounce)],
    transport: TransportKind.stdio,
  };
  return { run, debug: run };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "funnel" },
      { scheme: "untitled", language: "funnel" },
    ],
    outputChannelName: "Funnel",
  };
  client = new LanguageClient("funnel", "Funnel", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (err) {
    const path = vscode.workspace.getConfiguration("funnel").get<string>("server.path");
    void vscode.window.showErrorMessage(
      `Funnel: cannot start \`${path} lsp\` (${String(err)}). ` +
        "Install funnel (`cargo install --path crates/funnel-cli`) or set `funnel.server.path`.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("funnel.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
