#!/bin/sh
# examples/scripts/gl-feed against the BNG, Odoo and NAV sandboxes, run as
# examples/cron/gl-feed runs it: Odoo's posted journal items to BNG and
# NAV, twice (the second run writes nothing), an entry posted later, NAV
# posting its journal, and differences planted in both targets that the
# control totals per account and month must catch.
. "$(dirname "$0")/lib.sh"
. "$ERPIPE_TOP/tests/sandbox/lib.sh"
sandbox_start odoo
sandbox_start bng --records 0 --entity gl_entries=2
. "$ERPIPE_TOP/tests/sandbox/nav-env.sh"
nav_env --records 2
. "$ERPIPE_TOP/tests/sandbox/odoo-rpc.sh"
. "$ERPIPE_TOP/tests/sandbox/bng-api.sh"
. "$ERPIPE_TOP/tests/sandbox/profiles.sh"
. "$ERPIPE_TOP/tests/sandbox/flow.sh"

flow_nav_profile
flow_cron gl-feed '0 \* \* \* \*' gl "bng odoo nav"
W=$T/gl
gl() { run sh -c "$cmd" >"$T/out" 2>"$T/err"; [ "$st" -le 1 ] || sed 's/^/#   /' "$T/err" | head -8; }
marks() { nb=$(sandbox_log bng | jq length); no=$(sandbox_log odoo | jq length); nn=$(sandbox_log nav | jq length); }
quiet() { # NAME: a run that moves nothing, finds the totals agreeing and writes nowhere
	marks
	gl
	is "$st:$(cat "$T/out")" "0:" "$1: status 0, moves nothing"
	flow_quiet "$nb" "$no" "$nn"
}
n() { nav-extract -q -P nav "$@"; }
# the posted items of Odoo, as "id account debit credit"
posted() {
	o account.move.line --domain '[["parent_state","=","posted"]]' --expand account_id:code \
		--fields account_id,debit,credit | jq -r 'select(.id) | select(.debit != 0 or .credit != 0) |
		"\(.id) \(.account_id.code) \(.debit) \(.credit)"' | sort -n
}
journal() { n GenJournalLines --where "Journal_Batch_Name eq ODOO"; }
posted >"$T/odoo0"
c0=$(wc -l <"$T/odoo0" | tr -d ' ')
ok "Odoo has posted journal items ($c0)" test "$c0" -gt 5

# ---- 1: every posted item to BNG and NAV ---------------------------------------
gl
is "$st" 0 "first run: status 0"
is "$(cat "$T/out")" "gl-bng: $c0 created
gl-nav: $c0 created" "...says what moved, and no totals differ"
b gl_entries | jq -r 'select((.ExternalID // "") | startswith("odoo:")) |
	"\(.ExternalID | ltrimstr("odoo:")) \(.AccountCode) \(.Debit) \(.Credit)"' | sort -n >"$T/bng"
same_file "$T/bng" "$T/odoo0" "BNG: one entry an item, its account, debit and credit"
is "$(b gl_entries | jq -r 'select(.GLEntryID and .ExternalID == null) | .EntryNo' | wc -l | tr -d ' ')" 2 \
	"...BNG's own entries left alone"
journal >"$T/nav"
is "$(jq -s 'length' "$T/nav")" "$c0" "NAV: one journal line an item"
is "$(jq -s -c 'group_by(.Document_No) | map(select((map(.Amount * 100 | round) | add) != 0) | .[0].Document_No)' "$T/nav")" "[]" \
	"...each Odoo entry a balanced NAV document"
is "$(jq -s -c '[.[] | select(.Account_No == "6110")] | map(.Amount) | add' "$T/nav")" \
	"$(awk '$2 == "400000" { s += $3 - $4 } END { print s }' "$T/odoo0")" "...the sales account's balance as Odoo's"
is "$(wc -l <"$W/totals-bng.ndjson" | tr -d ' ')$(wc -l <"$W/totals-nav.ndjson" | tr -d ' ')" "00" \
	"the control totals agree on both sides"
quiet "a second run"

# ---- 2: a draft posted later, a correction dated last month ----------------------
draft=$(rpc account.move search '[[["state","=","draft"],["move_type","=","out_invoice"]]]' | jq '.[0]')
ok "Odoo has a draft invoice ($draft), its items older than the last run" test "$draft" -gt 0
odoo_post "$draft" >/dev/null
me=$(rpc account.move create '[{"move_type":"entry","journal_id":5,"date":"2026-11-28","ref":"Accrued rent","line_ids":[[0,0,{"name":"Accrued rent","account_id":32,"debit":120.5,"credit":0}],[0,0,{"name":"Accrued rent","account_id":49,"debit":0,"credit":120.5}]]}]')
odoo_post "$me" >/dev/null
mname=$(rpc account.move read "[[$me]]" '{"fields":["name"]}' | jq -r '.[0].name')
posted >"$T/odoo1"
c1=$(($(wc -l <"$T/odoo1") - c0))
ok "...$c1 items more posted" test "$c1" -gt 2
gl
is "$st" 0 "new entries: status 0"
is "$(cat "$T/out")" "gl-bng: $c1 created
gl-nav: $c1 created" "...only the new items move"
is "$(journal | jq -r "select(.Document_No == \"OD-$mname\") | \"\(.Posting_Date) \(.Account_No) \(.Amount)\"" | sort)" \
	"2026-11-28 2950 -120.5
2026-11-28 7110 120.5" "NAV: the correction in its month, on NAV's accounts"
jq -r .key "$W/totals-bng.ndjson" >/dev/null
is "$(wc -l <"$W/totals-bng.ndjson" | tr -d ' ')$(wc -l <"$W/totals-nav.ndjson" | tr -d ' ')" "00" \
	"the totals agree, the new month too"
quiet "nothing new"

# ---- 3: NAV posts the batch; an item Odoo changes afterwards is not posted twice ----
is "$(sandbox_control nav POST nav/post-journal '{"template":"GENERAL","batch":"ODOO"}' | jq -c .)" \
	"{\"lines\":$((c0 + c1)),\"entries\":$((c0 + c1))}" "NAV posts the journal: one G/L entry a line"
l=$(rpc account.move.line search "[[[\"move_id\",\"=\",$me],[\"debit\",\">\",0]]]" | jq '.[0]')
rpc account.move.line write "[[$l],{\"name\":\"Accrued rent, November\"}]" >/dev/null
gl
is "$st" 0 "a posted item changed: status 0"
is "$(cat "$T/out")" "gl-bng: 1 updated" "...BNG's entry updated, nothing sent to NAV's journal"
is "$(journal | wc -l | tr -d ' ')" 0 "...the journal stays empty (no second posting)"
is "$(wc -l <"$W/totals-nav.ndjson" | tr -d ' ')" 0 "...and NAV's G/L entries agree with Odoo's totals"
quiet "nothing new"

# ---- 4: differences planted in both targets: the control totals catch them --------
# an old entry (a run reads again only the last moments before its position)
read -r fid facc fdeb fcred <"$T/odoo0"
bid=$(b gl_entries | jq -r "select(.ExternalID == \"odoo:$fid\") | .GLEntryID")
api PATCH "/gl_entries/$bid" "{\"Debit\":$fdeb,\"Credit\":$(echo "$fcred + 10" | bc)}" >/dev/null
is "$api_status" 200 "BNG: someone changes an old entry from Odoo (credit +10)"
fmon=$(o account.move.line --domain "[[\"id\",\"=\",$fid]]" --fields move_id --expand move_id:date | jq -r 'select(.id) | .move_id.date[:7]')
eno=$(n GLEntries --where "Document_No eq OD-$mname" | jq -r 'select(.G_L_Account_No == "2950") | .Entry_No')
sandbox_control nav POST nav/edit "{\"set\":\"GLEntries\",\"key\":{\"Entry_No\":$eno},\"values\":{\"Amount\":-12.05,\"Credit_Amount\":12.05}}" >/dev/null
marks
gl
is "$st" 1 "planted differences: status 1"
is "$(cat "$T/out")" "totals-bng: 1 account-months differ from Odoo ($facc $fmon; $W/totals-bng.ndjson)
totals-nav: 1 account-months differ from Odoo (101403 2026-11; $W/totals-nav.ndjson)" \
	"...each side's account and month named"
want=$(o account.move.line --domain '[["parent_state","=","posted"]]' --fields account_id,credit,move_id \
	--expand account_id:code --expand move_id:date | jq -s --arg a "$facc" --arg m "$fmon" \
	'[.[] | select(.id and .account_id.code == $a and (.move_id.date | startswith($m))) | .credit] | add')
is "$(jq -c '[.key, .diff]' "$W/totals-bng.ndjson")" \
	"$(jq -cn --arg k "$facc $fmon" --argjson c "$want" '[$k, {"Credit": [$c, $c + 10]}]')" \
	"...BNG's credit against Odoo's total of that account and month"
is "$(jq -c '[.key, .diff]' "$W/totals-nav.ndjson")" '["101403 2026-11",{"Credit":[120.5,12.05]}]' \
	"...NAV's credit against Odoo's"
flow_quiet "$nb" "$no" "$nn"

# ---- one run at a time; usage -------------------------------------------------------
flow_mark
flow_lock gl-feed 5

done_testing
