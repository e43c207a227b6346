-- A real editor against `funnel lsp`: Neovim's built-in LSP client (0.7 or
-- later), run headless by .ci/lsp.sh:
--
--   FUNNEL=target/release/funnel nvim --headless -u NONE -c "luafile editors/neovim/smoke.lua"
--
-- It opens a small playbook with one mistake, and checks what a user sees:
-- the diagnostic with its code, hover on a stage, completion of event names
-- after `on`, go to definition, and that fixing the mistake clears the
-- diagnostic. Prints one line per check; exits 1 on the first failure.

local funnel = os.getenv("FUNNEL") or "funnel"
local dir = vim.fn.tempname()
vim.fn.mkdir(dir, "p")
local path = dir .. "/smoke.funnel"

local text = {
  'playbook "Smoke"',
  "",
  "lead {",
  "  email text",
  "}",
  "",
  "event whitepaper",
  "event demo_request",
  "",
  "funnel {",
  "  Lead on any event",
  "  MQL  when engagement >= 20",
  "  SQL  on demo_requst",
  "}",
  "",
  "score engagement {",
  "  +10 on whitepaper",
  "}",
}
vim.fn.writefile(text, path)

local function fail(msg)
  io.stdout:write("FAIL " .. msg .. "\n")
  vim.cmd("cquit 1")
end

local function ok(msg)
  io.stdout:write("ok   " .. msg .. "\n")
end

vim.cmd("edit " .. path)
local buf = vim.api.nvim_get_current_buf()

local client_id = vim.lsp.start_client({
  name = "funnel",
  cmd = { funnel, "lsp", "--debounce", "10" },
  root_dir = dir,
})
if not client_id then
  fail("funnel lsp did not start (" .. funnel .. ")")
end
vim.lsp.buf_attach_client(buf, client_id)

-- 1. The diagnostic for the misspelt event, with its code.
local got = vim.wait(10000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
if not got then
  fail("no diagnostics within 10 s")
end
local d = vim.diagnostic.get(buf)[1]
if d.lnum ~= 12 or d.col ~= 10 then
  fail(string.format("diagnostic at %d:%d, expected line 13 column 11", d.lnum + 1, d.col + 1))
end
if d.code ~= "funnel::check::unknown_event" or not d.message:find("demo_requst", 1, true) then
  fail("unexpected diagnostic: " .. tostring(d.code) .. ": " .. d.message)
end
ok("diagnostic " .. d.code .. " at 13:11: " .. d.message)

local function request(method, line, col)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
  }
  local res = vim.lsp.buf_request_sync(buf, method, params, 5000)
  if not res or not res[client_id] or res[client_id].err then
    fail(method .. " got no answer")
  end
  return res[client_id].result
end

-- 2. Hover on the stage name `MQL` (line 12, column 3).
local hover = request("textDocument/hover", 11, 3)
local hover_text = hover and hover.contents and (hover.contents.value or hover.contents[1]) or ""
if type(hover_text) ~= "string" or not hover_text:find("MQL", 1, true) or not hover_text:find("stage", 1, true) then
  fail("hover on MQL: " .. vim.inspect(hover))
end
ok("hover on MQL names the stage")

-- 3. Completion after `on ` offers the declared events.
local items = request("textDocument/completion", 12, 10)
items = items and (items.items or items) or {}
local labels = {}
for _, it in ipairs(items) do
  labels[it.label] = true
end
if not (labels["whitepaper"] and labels["demo_request"]) then
  fail("completion after `on` lacks the events: " .. vim.inspect(vim.tbl_keys(labels)))
end
ok("completion after `on` offers whitepaper and demo_request")

-- 4. Go to definition of `whitepaper` in the score rule jumps to its declaration.
local def = request("textDocument/definition", 16, 10)
local loc = def and (def[1] or def)
if not loc or not loc.range or loc.range.start.line ~= 6 then
  fail("definition of whitepaper: " .. vim.inspect(def))
end
ok("definition of whitepaper is line 7")

-- 5. Fixing the typo clears the diagnostic.
vim.api.nvim_buf_set_lines(buf, 12, 13, false, { "  SQL  on demo_request" })
local cleared = vim.wait(10000, function()
  return #vim.diagnostic.get(buf) == 0
end, 50)
if not cleared then
  fail("diagnostic still shown after the fix: " .. vim.inspect(vim.diagnostic.get(buf)))
end
ok("the fix clears the diagnostic")

-- 6. A clean shutdown: `shutdown`, then `exit`, and the server ends with 0.
local exit_code
vim.lsp.get_client_by_id(client_id).config.on_exit = function(code)
  exit_code = code
end
vim.lsp.stop_client(client_id)
if not vim.wait(5000, function() return exit_code ~= nil end, 50) then
  fail("funnel lsp did not exit after shutdown")
end
if exit_code ~= 0 then
  fail("funnel lsp exited with " .. exit_code .. " after shutdown")
end
ok("shutdown and exit: the server ends with 0")
vim.cmd("qall!")
