// The QuickFIX C++ anchor of the FIX order benchmarks (bench/fix-session.ts builds it with g++
// against Debian's libquickfix-dev): the same load as bench/fix.order.*.bench.ts between a QuickFIX
// acceptor and a QuickFIX initiator on loopback, FIXT.1.1 / FIX 5.0 SP2, memory stores, no logs.
//   anchor acceptor PORT DIR                 acks every NewOrderSingle with an ExecutionReport 150=0
//   anchor initiator PORT DIR rate N WINDOW  N orders, WINDOW outstanding: prints orders/s
//   anchor initiator PORT DIR rtt N RATE     N orders paced at RATE/s: prints the p99 round trip in µs
// The acceptor has no matching engine (an ack per order): the anchor is QuickFIX's session and
// codec cost, a floor for a gateway that also matches.
#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static FIX::Message order(long id, bool buy) {
  FIX::Message m;
  m.getHeader().setField(35, "D");
  m.setField(11, std::to_string(id));
  FIX::Group g(453, 448);
  g.setField(448, "1001");
  g.setField(447, "D");
  g.setField(452, "1");
  m.addGroup(g);
  m.setField(48, "700");
  m.setField(22, "8");
  m.setField(207, "XHKG");
  m.setField(54, buy ? "1" : "2");
  m.setField(60, "20260109-01:30:00.000");
  m.setField(38, "100");
  m.setField(40, "2");
  m.setField(44, buy ? "385" : "385.4");
  m.setField(59, "0");
  return m;
}

static void sendOrder(long id, const FIX::SessionID& session) {
  FIX::Message m = order(id, (id & 1) == 0);
  FIX::Session::sendToTarget(m, session);
}

class Acceptor : public FIX::Application {
  long execId = 0;
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {}
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    FIX::Message er;
    er.getHeader().setField(35, "8");
    std::string oid = std::to_string(++execId);
    er.setField(37, oid);
    er.setField(11, m.getField(11));
    er.setField(17, oid);
    er.setField(150, "0");
    er.setField(39, "0");
    er.setField(48, "700");
    er.setField(54, m.getField(54));
    er.setField(38, m.getField(38));
    er.setField(44, m.getField(44));
    er.setField(14, "0");
    er.setField(151, m.getField(38));
    er.setField(60, "20260109-01:30:00.000");
    FIX::Session::sendToTarget(er, id);
  }
};

class Initiator : public FIX::Application {
 public:
  FIX::SessionID session;
  std::mutex mu;
  std::condition_variable cv;
  bool loggedOn = false;
  std::atomic<long> received{0};
  std::atomic<long> sent{0};
  long total = 0;
  bool windowed = false;
  std::vector<Clock::time_point> sentAt;
  std::vector<double> rttUs;
  void onCreate(const FIX::SessionID& id) override { session = id; }
  void onLogon(const FIX::SessionID&) override { std::lock_guard<std::mutex> l(mu); loggedOn = true; cv.notify_all(); }
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    long id = std::atol(m.getField(11).c_str());
    if (!windowed && id >= 0 && id < (long)sentAt.size()) rttUs[id] = std::chrono::duration<double, std::micro>(Clock::now() - sentAt[id]).count();
    long n = ++received;
    if (windowed) {
      long s = sent.load();
      if (s < total) { sent = s + 1; sendOrder(s, session); }
    }
    if (n == total) { std::lock_guard<std::mutex> l(mu); cv.notify_all(); }
  }
};

static FIX::SessionSettings settings(const std::string& role, const std::string& port, const std::string& dir) {
  std::stringstream s;
  s << "[DEFAULT]\nConnectionType=" << role << "\nReconnectInterval=1\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n"
    << "HeartBtInt=30\nResetOnLogon=Y\nSocketNodelay=Y\nFileStorePath=" << dir << "/store-" << role << "\n"
    << (role == "acceptor" ? "SocketAcceptPort=" : "SocketConnectHost=127.0.0.1\nSocketConnectPort=") << port << "\n"
    << "[SESSION]\nBeginString=FIXT.1.1\nDefaultApplVerID=FIX.5.0SP2\n"
    << (role == "acceptor" ? "SenderCompID=HKEX\nTargetCompID=BENCH1\n" : "SenderCompID=BENCH1\nTargetCompID=HKEX\n");
  return FIX::SessionSettings(s);
}

int main(int argc, char** argv) {
  if (argc < 4) { std::cerr << "usage: anchor acceptor|initiator PORT DIR [rate N WINDOW | rtt N RATE]\n"; return 2; }
  std::string role = argv[1], port = argv[2], dir = argv[3];
  FIX::MemoryStoreFactory store;
  if (role == "acceptor") {
    Acceptor app;
    FIX::SocketAcceptor acceptor(app, store, settings("acceptor", port, dir));
    acceptor.start();
    std::cout << "READY" << std::endl;
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(60));
  }
  if (argc < 7) return 2;
  std::string mode = argv[4];
  long n = std::atol(argv[5]), param = std::atol(argv[6]);
  Initiator app;
  app.total = n;
  app.windowed = mode == "rate";
  if (!app.windowed) { app.sentAt.resize(n); app.rttUs.assign(n, 0); }
  FIX::SocketInitiator initiator(app, store, settings("initiator", port, dir));
  initiator.start();
  { std::unique_lock<std::mutex> l(app.mu); app.cv.wait(l, [&] { return app.loggedOn; }); }
  auto t0 = Clock::now();
  if (app.windowed) {
    long first = std::min(n, param);
    app.sent = first;
    for (long i = 0; i < first; i++) sendOrder(i, app.session);
  } else {
    auto interval = std::chrono::duration<double>(1.0 / param);
    for (long i = 0; i < n; i++) {
      auto due = t0 + std::chrono::duration_cast<Clock::duration>(interval * i);
      while (Clock::now() < due) {}
      app.sentAt[i] = Clock::now();
      sendOrder(i, app.session);
    }
  }
  { std::unique_lock<std::mutex> l(app.mu); app.cv.wait(l, [&] { return app.received.load() >= n; }); }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (app.windowed) {
    std::cout << "RESULT value=" << (long)(n / secs) << " orders=" << n << " window=" << param << " seconds=" << secs << std::endl;
  } else {
    std::vector<double> r = app.rttUs;
    std::sort(r.begin(), r.end());
    std::cout << "RESULT value=" << r[(size_t)(r.size() * 0.99)] << " orders=" << n << " rate=" << param << " p50_us=" << r[r.size() / 2] << std::endl;
  }
  initiator.stop(true);
  return 0;
}
