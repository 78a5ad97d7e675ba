// Starts `bunrui lsp` for Markdown and HTML posts; the server does the rest.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function settings() {
  const config = vscode.workspace.getConfiguration("bunrui");
  return { model: config.get("model"), taxonomy: config.get("taxonomy") };
}

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("bunrui").get("command");
  client = new LanguageClient(
    "bunrui",
    "bunrui",
    { command, args },
    {
      documentSelector: [
        { scheme: "file", language: "markdown" },
        { scheme: "file", language: "html" },
      ],
      initializationOptions: { bunrui: settings() },
      // The server reads `bunrui.model` and `bunrui.taxonomy` again when they change.
      synchronize: { configurationSection: "bunrui" },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
