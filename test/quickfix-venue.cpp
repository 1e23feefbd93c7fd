// A FIX 4.4 venue on QuickFIX C++ (Debian libquickfix-dev 1.15.1), the interop and benchmark peer of our FIX engine.
// Default: acks (ExecutionReport New) and fills (ExecutionReport Trade, OrdStatus Filled) every NewOrderSingle.
// QF_ECHO=1: QuickFIX's acceptance-test application instead: echoes NewOrderSingle (unless a PossResend duplicate of a
// ClOrdID seen in this logon) and SecurityDefinition; other application messages get a BusinessMessageReject.
// QF_WATCH_STDIN=1: exits when stdin closes, so a test runner that dies leaves no venue behind.
// Build: g++ -O2 -std=c++14 -Wno-deprecated -o quickfix-venue quickfix-venue.cpp -lquickfix -lpthread (C++17 fails)
// Run: ./quickfix-venue venue.cfg   (prints "listening" once the acceptor is up)
#include <quickfix/Application.h>
#include <quickfix/MessageCracker.h>
#include <quickfix/MessageStore.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/Log.h>
#include <quickfix/fix44/NewOrderSingle.h>
#include <quickfix/fix44/SecurityDefinition.h>
#include <quickfix/fix44/ExecutionReport.h>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <unistd.h>

static volatile sig_atomic_t run = 1;
static void stop(int) { run = 0; }

class Venue : public FIX::Application, public FIX::MessageCracker {
  long oid = 0, eid = 0;
  std::map<FIX::SessionID, std::set<std::string>> seen;
  bool echo = getenv("QF_ECHO") != nullptr;

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& s) override { std::cout << "logon " << s << std::endl; }
  void onLogout(const FIX::SessionID& s) override { seen.erase(s); std::cout << "logout " << s << std::endl; }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&)
    throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& s)
    throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override { crack(m, s); }

  void onMessage(const FIX44::SecurityDefinition& d, const FIX::SessionID& s) override {
    if (!echo) throw FIX::UnsupportedMessageType();
    FIX44::SecurityDefinition copy(d);
    FIX::Session::sendToTarget(copy, s);
  }

  void onMessage(const FIX44::NewOrderSingle& o, const FIX::SessionID& s) override {
    if (echo) {
      FIX::PossResend possResend(false);
      if (o.getHeader().isSetField(possResend)) o.getHeader().getField(possResend);
      FIX::ClOrdID clOrdId;
      o.get(clOrdId);
      std::set<std::string>& ids = seen[s];
      if (possResend.getValue() && ids.count(clOrdId.getValue())) return;
      ids.insert(clOrdId.getValue());
      FIX::Message copy(o);
      FIX::Session::sendToTarget(copy, s);
      return;
    }
    FIX::ClOrdID clOrdId; FIX::Side side; FIX::OrderQty qty; FIX::Price px; FIX::Symbol symbol;
    o.get(clOrdId); o.get(side); o.get(qty); o.get(px); o.get(symbol);
    FIX::OrderID orderId("Q" + std::to_string(++oid));
    for (int leg = 0; leg < 2; ++leg) {
      bool fill = leg == 1;
      FIX44::ExecutionReport er(orderId, FIX::ExecID("X" + std::to_string(++eid)),
        FIX::ExecType(fill ? FIX::ExecType_TRADE : FIX::ExecType_NEW),
        FIX::OrdStatus(fill ? FIX::OrdStatus_FILLED : FIX::OrdStatus_NEW), side,
        FIX::LeavesQty(fill ? 0 : qty.getValue()), FIX::CumQty(fill ? qty.getValue() : 0), FIX::AvgPx(fill ? px.getValue() : 0));
      er.set(clOrdId); er.set(symbol); er.set(qty);
      if (fill) { er.set(FIX::LastQty(qty.getValue())); er.set(FIX::LastPx(px.getValue())); }
      FIX::Session::sendToTarget(er, s);
    }
  }
};

int main(int argc, char** argv) {
  if (argc < 2) { std::cerr << "usage: quickfix-venue <cfg>\n"; return 2; }
  FIX::SessionSettings settings(argv[1]);
  Venue app;
  FIX::MemoryStoreFactory store;
  FIX::ScreenLogFactory log(false, false, false);
  FIX::SocketAcceptor acceptor(app, store, settings, log);
  // No SA_RESTART: a signal must interrupt the blocking read on stdin below.
  struct sigaction sa = {};
  sa.sa_handler = stop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  acceptor.start();
  std::cout << "listening" << std::endl;
  if (getenv("QF_WATCH_STDIN")) {
    char buf[64];
    while (run && read(0, buf, sizeof buf) > 0) {}
  } else {
    while (run) pause();
  }
  acceptor.stop();
  return 0;
}
