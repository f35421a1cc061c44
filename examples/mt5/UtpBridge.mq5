//+------------------------------------------------------------------+
//| UtpBridge.mq5 - streams MetaTrader 5 market data to UTP           |
//|                                                                  |
//| Attach it to ONE chart (any symbol). It connects to UTP over TCP |
//| (MQL5 sockets can only connect out; UTP listens on 127.0.0.1),   |
//| streams every listed symbol's ticks (CopyTicks from a 50 ms      |
//| timer, so no tick is skipped) and closed bars, sends a heartbeat |
//| every second, reconnects with backoff 1, 2, 4 ... 30 s, and      |
//| answers UTP's history and ping requests. No DLLs.                |
//|                                                                  |
//| ONE-TIME SETUP (MetaTrader cannot do this from code):            |
//|   Tools -> Options -> Expert Advisors ->                         |
//|   tick "Allow WebRequest for listed URL" and add  127.0.0.1      |
//|   (the list governs Socket* functions too; without it            |
//|   SocketConnect fails with error 4014).                          |
//|                                                                  |
//| Inputs                                                           |
//|   InpHost     UTP address, 127.0.0.1                             |
//|   InpPort     UTP bridge port (UTP: UTP_MT5_BRIDGE_PORT)         |
//|   InpSymbols  comma-separated MT5 symbol names to stream; UTP's  |
//|               subscribe message replaces the list                |
//|   InpTimerMs  polling period of the timer, ms                    |
//|                                                                  |
//| Protocol: newline-delimited JSON, one object a line, every       |
//| message with v (1), type, seq, ts; see                           |
//| schemas/mt5-bridge.schema.json. Times are trade-server time;     |
//| hello/offset carry TimeTradeServer()-TimeGMT() so UTP can        |
//| convert them to UTC. Trading commands (order, modify_sltp,       |
//| close) run through CTrade; the order comment is UTP's            |
//| idempotency key (a repeated key answers the open position, never |
//| a second fill); resp.retcode is CTrade.ResultRetcode() and only  |
//| 10009/10008/10010 are success. Positions and account are sent    |
//| right after every trade, before its resp.                        |
//+------------------------------------------------------------------+
#property copyright   "UTP"
#property version     "1.10"
#property description "Streams ticks and closed bars to UTP over TCP on 127.0.0.1."
#property description "Add 127.0.0.1 under Tools > Options > Expert Advisors > Allow WebRequest for listed URL."

#include <Trade/Trade.mqh>

input string InpHost    = "127.0.0.1";
input ushort InpPort    = 8765;
input string InpSymbols = "BTCUSD,XAUUSD,GBPJPY";
input int    InpTimerMs = 50;
input bool   InpTrading = true;    // execute UTP's order/modify_sltp/close (false: answer 10017)

CTrade   g_trade;

string          TF_NAMES[6] = {"M1", "M5", "M15", "H1", "H4", "D1"};
ENUM_TIMEFRAMES TF_CODES[6] = {PERIOD_M1, PERIOD_M5, PERIOD_M15, PERIOD_H1, PERIOD_H4, PERIOD_D1};

int      g_sock = INVALID_HANDLE;
bool     g_connected = false;
long     g_seq = 0;
int      g_backoff = 1;          // seconds before the next connection attempt
ulong    g_nextTry = 0;          // GetTickCount64() of the next attempt
ulong    g_lastHb = 0, g_lastAccount = 0, g_lastOffsetCheck = 0, g_lastOffsetSent = 0;
long     g_offset = 0;           // TimeTradeServer() - TimeGMT(), seconds
string   g_rx = "";              // bytes read but not yet a full line
string   g_syms[];
long     g_lastMsc[];            // time_msc of the last tick sent per symbol
int      g_sentAtLast[];         // ticks already sent that carry g_lastMsc (ticks can share a ms)
datetime g_lastBar[][6];         // open time of the last closed bar sent per symbol/timeframe
bool     g_tfOn[6] = {false, false, false, true, true, false};

//--- small helpers -------------------------------------------------
long   NowMs()                 { return (long)TimeGMT() * 1000; }
string L(const long v)         { return IntegerToString(v); }
string D(const double v, int d) { return MathIsValidNumber(v) ? DoubleToString(v, d) : "0"; }
string B(const bool v)         { return v ? "true" : "false"; }
int    SymDigits(const string s) { return (int)SymbolInfoInteger(s, SYMBOL_DIGITS); }

string Esc(const string s)
  {
   string out = s;
   StringReplace(out, "\\", "\\\\");
   StringReplace(out, "\"", "\\\"");
   StringReplace(out, "\n", " ");
   StringReplace(out, "\r", " ");
   return out;
  }

string Head(const string type)
  {
   g_seq++;
   return "{\"v\":1,\"type\":\"" + type + "\",\"seq\":" + L(g_seq) + ",\"ts\":" + L(NowMs());
  }

//--- tiny field extractor for UTP's commands (flat JSON objects) ---
int FieldAt(const string json, const string key)
  {
   int p = StringFind(json, "\"" + key + "\":");
   return p < 0 ? -1 : p + StringLen(key) + 3;
  }

string JStr(const string json, const string key)
  {
   int p = FieldAt(json, key);
   if(p < 0 || StringGetCharacter(json, p) != '"') return "";
   int e = p + 1;
   while(e < StringLen(json) && !(StringGetCharacter(json, e) == '"' && StringGetCharacter(json, e - 1) != '\\')) e++;
   return StringSubstr(json, p + 1, e - p - 1);
  }

long JLong(const string json, const string key, const long def)
  {
   int p = FieldAt(json, key);
   if(p < 0) return def;
   int e = p;
   while(e < StringLen(json) && StringFind("-0123456789", StringSubstr(json, e, 1)) >= 0) e++;
   return e == p ? def : StringToInteger(StringSubstr(json, p, e - p));
  }

int JStrArray(const string json, const string key, string &out[])
  {
   ArrayResize(out, 0);
   int p = FieldAt(json, key);
   if(p < 0 || StringGetCharacter(json, p) != '[') return -1;
   int e = StringFind(json, "]", p);
   string body = StringSubstr(json, p + 1, e - p - 1);
   StringReplace(body, "\"", "");
   StringReplace(body, " ", "");
   if(body == "") return 0;
   return StringSplit(body, ',', out);
  }

double JDouble(const string json, const string key, const double def)
  {
   int p = FieldAt(json, key);
   if(p < 0) return def;
   int e = p;
   while(e < StringLen(json) && StringFind("-+.eE0123456789", StringSubstr(json, e, 1)) >= 0) e++;
   return e == p ? def : StringToDouble(StringSubstr(json, p, e - p));
  }

int TfIndex(const string name) { for(int k = 0; k < 6; k++) if(TF_NAMES[k] == name) return k; return -1; }

//--- sending -------------------------------------------------------
bool SendRaw(const string text)
  {
   uchar buf[];
   int n = StringToCharArray(text, buf, 0, WHOLE_ARRAY, CP_UTF8) - 1;   // drop the trailing NUL
   int off = 0;
   while(off < n)
     {
      uchar part[];
      ArrayCopy(part, buf, 0, off, n - off);
      int sent = SocketSend(g_sock, part, n - off);
      if(sent <= 0) { Disconnect("send failed, error " + L(GetLastError())); return false; }
      off += sent;
     }
   return true;
  }

bool Send(const string head, const string body) { return SendRaw(head + body + "}\n"); }

void SendResp(const string reqId, const bool ok, const long retcode, const string msg, const string data)
  {
   Send(Head("resp"), ",\"reqId\":\"" + Esc(reqId) + "\",\"ok\":" + B(ok) + ",\"retcode\":" + L(retcode) +
        ",\"message\":\"" + Esc(msg) + "\",\"data\":" + data);
  }

long ServerOffset()
  {
   long d = (long)(TimeTradeServer() - TimeGMT());
   return (long)MathRound(d / 900.0) * 900;   // whole quarter hours
  }

void SendOffset()
  {
   g_offset = ServerOffset();
   g_lastOffsetSent = GetTickCount64();
   Send(Head("offset"), ",\"serverUtcOffsetSec\":" + L(g_offset) + ",\"serverTimeMsc\":" + L((long)TimeTradeServer() * 1000));
  }

void SendHello()
  {
   g_offset = ServerOffset();
   g_lastOffsetSent = GetTickCount64();
   string syms = "";
   for(int i = 0; i < ArraySize(g_syms); i++)
     {
      string s = g_syms[i];
      syms += (i > 0 ? "," : "") + "{\"sym\":\"" + Esc(s) + "\",\"digits\":" + L(SymDigits(s)) +
              ",\"point\":" + D(SymbolInfoDouble(s, SYMBOL_POINT), 10) +
              ",\"stopsLevel\":" + L(SymbolInfoInteger(s, SYMBOL_TRADE_STOPS_LEVEL)) +
              ",\"volumeStep\":" + D(SymbolInfoDouble(s, SYMBOL_VOLUME_STEP), 8) +
              ",\"volumeMin\":" + D(SymbolInfoDouble(s, SYMBOL_VOLUME_MIN), 8) +
              ",\"volumeMax\":" + D(SymbolInfoDouble(s, SYMBOL_VOLUME_MAX), 8) +
              ",\"lastTickMsc\":" + L(g_lastMsc[i]) + "}";
     }
   Send(Head("hello"), ",\"login\":" + L(AccountInfoInteger(ACCOUNT_LOGIN)) +
        ",\"server\":\"" + Esc(AccountInfoString(ACCOUNT_SERVER)) + "\",\"build\":" + L(TerminalInfoInteger(TERMINAL_BUILD)) +
        ",\"company\":\"" + Esc(AccountInfoString(ACCOUNT_COMPANY)) + "\",\"serverUtcOffsetSec\":" + L(g_offset) +
        ",\"serverTimeMsc\":" + L((long)TimeTradeServer() * 1000) + ",\"symbols\":[" + syms + "],\"eaVersion\":\"1.10\"");
  }

void SendAccount()
  {
   g_lastAccount = GetTickCount64();
   Send(Head("account"), ",\"balance\":" + D(AccountInfoDouble(ACCOUNT_BALANCE), 2) + ",\"equity\":" + D(AccountInfoDouble(ACCOUNT_EQUITY), 2) +
        ",\"margin\":" + D(AccountInfoDouble(ACCOUNT_MARGIN), 2) + ",\"freeMargin\":" + D(AccountInfoDouble(ACCOUNT_MARGIN_FREE), 2) +
        ",\"currency\":\"" + Esc(AccountInfoString(ACCOUNT_CURRENCY)) + "\",\"leverage\":" + L(AccountInfoInteger(ACCOUNT_LEVERAGE)));
   string list = "";
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      ulong ticket = PositionGetTicket(i);
      if(ticket == 0 || !PositionSelectByTicket(ticket)) continue;
      string s = PositionGetString(POSITION_SYMBOL);
      int d = SymDigits(s);
      list += (list == "" ? "" : ",") + "{\"ticket\":" + L((long)ticket) + ",\"sym\":\"" + Esc(s) + "\",\"type\":\"" +
              (PositionGetInteger(POSITION_TYPE) == POSITION_TYPE_BUY ? "buy" : "sell") + "\",\"volume\":" + D(PositionGetDouble(POSITION_VOLUME), 8) +
              ",\"priceOpen\":" + D(PositionGetDouble(POSITION_PRICE_OPEN), d) + ",\"sl\":" + D(PositionGetDouble(POSITION_SL), d) +
              ",\"tp\":" + D(PositionGetDouble(POSITION_TP), d) + ",\"profit\":" + D(PositionGetDouble(POSITION_PROFIT), 2) +
              ",\"swap\":" + D(PositionGetDouble(POSITION_SWAP), 2) + ",\"comment\":\"" + Esc(PositionGetString(POSITION_COMMENT)) +
              "\",\"magic\":" + L(PositionGetInteger(POSITION_MAGIC)) + ",\"timeMsc\":" + L(PositionGetInteger(POSITION_TIME_MSC)) + "}";
     }
   Send(Head("positions"), ",\"positions\":[" + list + "]");
  }

//--- symbols -------------------------------------------------------
void SetSymbols(string &names[])
  {
   string oldSyms[];
   long oldMsc[];
   int oldCount[];
   ArrayCopy(oldSyms, g_syms);
   ArrayCopy(oldMsc, g_lastMsc);
   ArrayCopy(oldCount, g_sentAtLast);
   int n = 0;
   ArrayResize(g_syms, ArraySize(names));
   ArrayResize(g_lastMsc, ArraySize(names));
   ArrayResize(g_sentAtLast, ArraySize(names));
   ArrayResize(g_lastBar, ArraySize(names));
   for(int i = 0; i < ArraySize(names); i++)
     {
      string s = names[i];
      StringTrimLeft(s);
      StringTrimRight(s);
      if(s == "" || !SymbolSelect(s, true)) { if(s != "") Print("UtpBridge: unknown symbol ", s); continue; }
      g_syms[n] = s;
      g_lastMsc[n] = 0;
      g_sentAtLast[n] = 0;
      for(int j = 0; j < ArraySize(oldSyms); j++)
         if(oldSyms[j] == s) { g_lastMsc[n] = oldMsc[j]; g_sentAtLast[n] = oldCount[j]; }
      if(g_lastMsc[n] == 0)
        {
         MqlTick t;   // a new symbol streams from now; UTP asks for history before that
         if(SymbolInfoTick(s, t)) { g_lastMsc[n] = t.time_msc; g_sentAtLast[n] = 1; }
        }
      for(int k = 0; k < 6; k++) g_lastBar[n][k] = iTime(s, TF_CODES[k], 1);
      n++;
     }
   ArrayResize(g_syms, n);
   ArrayResize(g_lastMsc, n);
   ArrayResize(g_sentAtLast, n);
   ArrayResize(g_lastBar, n);
  }

//--- streaming -----------------------------------------------------
string TickLine(const string s, const MqlTick &t, const int d)
  {
   return Head("tick") + ",\"sym\":\"" + Esc(s) + "\",\"tmsc\":" + L(t.time_msc) + ",\"bid\":" + D(t.bid, d) + ",\"ask\":" + D(t.ask, d) +
          ",\"last\":" + D(t.last, d) + ",\"vol\":" + D(t.volume_real, 8) + ",\"flags\":" + L(t.flags) + "}\n";
  }

void StreamTicks()
  {
   for(int i = 0; i < ArraySize(g_syms) && g_connected; i++)
     {
      MqlTick ticks[];
      // from the last sent millisecond itself: ticks can share one ms and some may have arrived after the last copy
      int n = CopyTicks(g_syms[i], ticks, COPY_TICKS_ALL, (ulong)g_lastMsc[i], 2000);
      if(n <= 0) continue;
      int d = SymDigits(g_syms[i]), skip = 0;
      string out = "";
      for(int j = 0; j < n; j++)
        {
         if(ticks[j].time_msc == g_lastMsc[i] && skip < g_sentAtLast[i]) { skip++; continue; }
         out += TickLine(g_syms[i], ticks[j], d);
         if(ticks[j].time_msc == g_lastMsc[i]) g_sentAtLast[i]++;
         else { g_lastMsc[i] = ticks[j].time_msc; g_sentAtLast[i] = 1; }
        }
      if(out != "") SendRaw(out);
     }
  }

string BarBody(const string s, const int k, const MqlRates &r, const int d)
  {
   return ",\"sym\":\"" + Esc(s) + "\",\"tf\":\"" + TF_NAMES[k] + "\",\"t\":" + L((long)r.time) + ",\"o\":" + D(r.open, d) + ",\"h\":" + D(r.high, d) +
          ",\"l\":" + D(r.low, d) + ",\"c\":" + D(r.close, d) + ",\"tickVol\":" + L(r.tick_volume) + ",\"spread\":" + L(r.spread);
  }

void StreamBars()
  {
   for(int i = 0; i < ArraySize(g_syms) && g_connected; i++)
      for(int k = 0; k < 6; k++)
        {
         if(!g_tfOn[k] || iTime(g_syms[i], TF_CODES[k], 1) <= g_lastBar[i][k]) continue;
         MqlRates r[];
         int n = CopyRates(g_syms[i], TF_CODES[k], 1, 10, r);   // closed bars, oldest first
         for(int j = 0; j < n; j++)
            if(r[j].time > g_lastBar[i][k])
              {
               Send(Head("bar"), BarBody(g_syms[i], k, r[j], SymDigits(g_syms[i])));
               g_lastBar[i][k] = r[j].time;
              }
        }
  }

//--- commands from UTP ---------------------------------------------
void AnswerHistory(const string cmd)
  {
   string reqId = JStr(cmd, "reqId"), s = JStr(cmd, "sym"), kind = JStr(cmd, "kind");
   long from = JLong(cmd, "fromMsc", 0), to = JLong(cmd, "toMsc", 0), maxRows = JLong(cmd, "max", 5000);
   if(!SymbolSelect(s, true)) { SendResp(reqId, false, -4, "unknown symbol " + s, "null"); return; }
   int d = SymDigits(s);
   string rows = "";
   bool more = false;
   if(kind == "ticks")
     {
      MqlTick t[];
      int n = CopyTicksRange(s, t, COPY_TICKS_ALL, (ulong)from, (ulong)(to > 0 ? to : (long)TimeTradeServer() * 1000 + 1000));
      if(n < 0) { SendResp(reqId, false, GetLastError(), "CopyTicksRange failed", "null"); return; }
      more = n > maxRows;
      for(int j = 0; j < n && j < maxRows; j++)
         rows += (j > 0 ? "," : "") + "[" + L(t[j].time_msc) + "," + D(t[j].bid, d) + "," + D(t[j].ask, d) + "," + D(t[j].last, d) + "," +
                 D(t[j].volume_real, 8) + "," + L(t[j].flags) + "]";
      SendResp(reqId, true, 0, "", "{\"sym\":\"" + Esc(s) + "\",\"kind\":\"ticks\",\"ticks\":[" + rows + "],\"more\":" + B(more) + "}");
      return;
     }
   int k = TfIndex(JStr(cmd, "tf"));
   if(k < 0) { SendResp(reqId, false, -2, "unknown timeframe", "null"); return; }
   MqlRates r[];
   datetime now = TimeCurrent();
   int n = CopyRates(s, TF_CODES[k], (datetime)(from / 1000), to > 0 ? (datetime)(to / 1000) : now, r);
   if(n < 0) { SendResp(reqId, false, GetLastError(), "CopyRates failed", "null"); return; }
   int count = 0;
   for(int j = 0; j < n; j++)
     {
      if(r[j].time + PeriodSeconds(TF_CODES[k]) > now) break;   // the forming bar is not sent
      if(count == maxRows) { more = true; break; }
      rows += (count > 0 ? "," : "") + "[" + L((long)r[j].time) + "," + D(r[j].open, d) + "," + D(r[j].high, d) + "," + D(r[j].low, d) + "," +
              D(r[j].close, d) + "," + L(r[j].tick_volume) + "," + L(r[j].spread) + "]";
      count++;
     }
   SendResp(reqId, true, 0, "", "{\"sym\":\"" + Esc(s) + "\",\"kind\":\"bars\",\"tf\":\"" + TF_NAMES[k] + "\",\"bars\":[" + rows + "],\"more\":" + B(more) + "}");
  }

//--- trading (CTrade) ----------------------------------------------
string TradeData(const ulong ticket, const double price, const double volume, const int d)
  {
   return "{\"ticket\":" + L((long)ticket) + ",\"price\":" + D(price, d) + ",\"volume\":" + D(volume, 8) + "}";
  }

// Answers a trade with CTrade's retcode; positions/account go first so UTP sees the outcome even if the resp is lost.
void AnswerTrade(const string reqId, const ulong ticket, const int d)
  {
   uint rc = g_trade.ResultRetcode();
   bool ok = (rc == TRADE_RETCODE_DONE || rc == TRADE_RETCODE_PLACED || rc == TRADE_RETCODE_DONE_PARTIAL);
   SendAccount();
   SendResp(reqId, ok, (long)rc, g_trade.ResultRetcodeDescription() + " " + g_trade.ResultComment(),
            ok ? TradeData(ticket, g_trade.ResultPrice(), g_trade.ResultVolume(), d) : "null");
  }

// The open position whose comment is `comment` (the idempotency key), or 0.
ulong PositionByComment(const string comment)
  {
   for(int i = PositionsTotal() - 1; i >= 0; i--)
     {
      ulong t = PositionGetTicket(i);
      if(t != 0 && PositionSelectByTicket(t) && PositionGetString(POSITION_COMMENT) == comment) return t;
     }
   return 0;
  }

void DoOrder(const string cmd, const string reqId)
  {
   string s = JStr(cmd, "sym"), key = JStr(cmd, "idempotencyKey"), comment = JStr(cmd, "comment");
   if(comment == "") comment = StringSubstr(key, 0, 31);
   if(JStr(cmd, "orderType") != "market") { SendResp(reqId, false, TRADE_RETCODE_INVALID, "only market orders are supported", "null"); return; }
   if(!SymbolSelect(s, true)) { SendResp(reqId, false, TRADE_RETCODE_INVALID, "unknown symbol " + s, "null"); return; }
   int d = SymDigits(s);
   ulong known = PositionByComment(comment);
   if(known != 0)   // the same idempotency key again (a retry after a lost answer): never a second fill
     {
      string data = TradeData(known, PositionGetDouble(POSITION_PRICE_OPEN), PositionGetDouble(POSITION_VOLUME), d);
      SendAccount();
      SendResp(reqId, true, TRADE_RETCODE_DONE, "already filled (idempotency key)", data);
      return;
     }
   g_trade.SetExpertMagicNumber((ulong)JLong(cmd, "magic", 0));
   g_trade.SetDeviationInPoints((ulong)JLong(cmd, "deviation", 10));
   double vol = JDouble(cmd, "volume", 0), sl = JDouble(cmd, "sl", 0), tp = JDouble(cmd, "tp", 0);
   bool sent = JStr(cmd, "side") == "buy" ? g_trade.Buy(vol, s, 0.0, sl, tp, comment) : g_trade.Sell(vol, s, 0.0, sl, tp, comment);
   ulong ticket = sent ? PositionByComment(comment) : 0;
   if(ticket == 0) ticket = g_trade.ResultOrder();   // netting accounts / not yet listed: the order ticket
   AnswerTrade(reqId, ticket, d);
  }

void DoModify(const string cmd, const string reqId)
  {
   ulong ticket = (ulong)JLong(cmd, "ticket", 0);
   if(!PositionSelectByTicket(ticket)) { SendResp(reqId, false, TRADE_RETCODE_POSITION_CLOSED, "no open position " + L((long)ticket), "null"); return; }
   int d = SymDigits(PositionGetString(POSITION_SYMBOL));
   g_trade.PositionModify(ticket, JDouble(cmd, "sl", 0), JDouble(cmd, "tp", 0));
   AnswerTrade(reqId, ticket, d);
  }

void DoClose(const string cmd, const string reqId)
  {
   ulong ticket = (ulong)JLong(cmd, "ticket", 0);
   if(!PositionSelectByTicket(ticket)) { SendResp(reqId, false, TRADE_RETCODE_POSITION_CLOSED, "no open position " + L((long)ticket), "null"); return; }
   int d = SymDigits(PositionGetString(POSITION_SYMBOL));
   double vol = JDouble(cmd, "volume", 0);
   ulong dev = (ulong)JLong(cmd, "deviation", 10);
   if(vol > 0 && vol < PositionGetDouble(POSITION_VOLUME)) g_trade.PositionClosePartial(ticket, vol, dev);
   else g_trade.PositionClose(ticket, dev);
   AnswerTrade(reqId, ticket, d);
  }

void HandleCommand(const string cmd)
  {
   string type = JStr(cmd, "type"), reqId = JStr(cmd, "reqId");
   if(type == "subscribe")
     {
      string names[], tfs[];
      if(JStrArray(cmd, "symbols", names) >= 0) SetSymbols(names);
      if(JStrArray(cmd, "bars", tfs) >= 0)
        {
         for(int k = 0; k < 6; k++) g_tfOn[k] = false;
         for(int j = 0; j < ArraySize(tfs); j++) { int idx = TfIndex(tfs[j]); if(idx >= 0) g_tfOn[idx] = true; }
        }
     }
   else if(type == "history") AnswerHistory(cmd);
   else if(type == "ping") SendResp(reqId, true, 0, "pong", "null");
   else if(type == "order" || type == "modify_sltp" || type == "close")
     {
      if(!InpTrading) SendResp(reqId, false, TRADE_RETCODE_TRADE_DISABLED, "trading is disabled in the EA inputs", "null");
      else if(type == "order") DoOrder(cmd, reqId);
      else if(type == "modify_sltp") DoModify(cmd, reqId);
      else DoClose(cmd, reqId);
     }
  }

void ReadCommands()
  {
   uint ready = SocketIsReadable(g_sock);
   if(ready == 0) return;
   uchar buf[];
   int got = SocketRead(g_sock, buf, ready, 10);
   if(got <= 0) return;
   g_rx += CharArrayToString(buf, 0, got, CP_UTF8);
   int nl;
   while((nl = StringFind(g_rx, "\n")) >= 0)
     {
      string line = StringSubstr(g_rx, 0, nl);
      g_rx = StringSubstr(g_rx, nl + 1);
      if(line != "") HandleCommand(line);
      if(!g_connected) return;
     }
   if(StringLen(g_rx) > 1048576) g_rx = "";   // a line that never ends is dropped
  }

//--- connection ----------------------------------------------------
void Disconnect(const string why)
  {
   if(g_sock != INVALID_HANDLE) SocketClose(g_sock);
   g_sock = INVALID_HANDLE;
   if(g_connected) Print("UtpBridge: disconnected (", why, ")");
   g_connected = false;
   g_nextTry = GetTickCount64() + (ulong)g_backoff * 1000;
   g_backoff = (int)MathMin(g_backoff * 2, 30);
  }

void TryConnect()
  {
   g_sock = SocketCreate();
   if(g_sock == INVALID_HANDLE) { Disconnect("SocketCreate error " + L(GetLastError())); return; }
   if(!SocketConnect(g_sock, InpHost, InpPort, 1000))   // short timeout: never block the terminal for long
     {
      int err = GetLastError();
      if(err == 4014) Print("UtpBridge: add ", InpHost, " under Tools > Options > Expert Advisors > Allow WebRequest for listed URL");
      Disconnect("connect error " + L(err));
      return;
     }
   g_connected = true;
   g_backoff = 1;
   g_seq = 0;
   g_rx = "";
   Print("UtpBridge: connected to ", InpHost, ":", InpPort);
   SendHello();
   if(g_connected) SendAccount();
  }

//--- events ---------------------------------------------------------
int OnInit()
  {
   string names[];
   StringSplit(InpSymbols == "" ? _Symbol : InpSymbols, ',', names);
   SetSymbols(names);
   EventSetMillisecondTimer(MathMax(InpTimerMs, 10));
   return INIT_SUCCEEDED;
  }

void OnDeinit(const int reason)
  {
   EventKillTimer();
   if(g_sock != INVALID_HANDLE) SocketClose(g_sock);
   g_sock = INVALID_HANDLE;
   g_connected = false;
  }

void OnTimer()
  {
   ulong now = GetTickCount64();
   if(!g_connected) { if(now >= g_nextTry) TryConnect(); return; }
   if(!SocketIsConnected(g_sock)) { Disconnect("socket closed"); return; }
   ReadCommands();
   if(g_connected) StreamTicks();
   if(g_connected) StreamBars();
   if(!g_connected) return;
   if(now - g_lastHb >= 1000) { g_lastHb = now; Send(Head("hb"), ""); }
   if(now - g_lastOffsetCheck >= 10000)
     {
      g_lastOffsetCheck = now;
      if(ServerOffset() != g_offset || now - g_lastOffsetSent >= 3600000) SendOffset();   // DST change, or hourly
     }
   if(g_connected && now - g_lastAccount >= 5000) SendAccount();
  }
//+------------------------------------------------------------------+
