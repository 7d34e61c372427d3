// A FIX initiator on QuickFIX C++ (Debian libquickfix-dev), driven line by line on stdin by
// test/fix/quickfix.test.ts and reporting on stdout:
//   stdin:  send 35=D|11=1|...        (header fields are QuickFIX's; 453 starts a Parties group)
//           pause | resume | quit      (Session::logout / Session::logon / stop)
//   stdout: LOGON <next sender> <next target> | LOGOUT | IN <message> | OUT <message>  ('|' for SOH)
// The Logon gets EncryptedPasswordMethod/Len/EncryptedPassword from the environment (FIX_ENC_PASSWORD:
// base64 of the venue's RSA over login time + password, computed by the test).
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Group.h>
#include <quickfix/Message.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>

static std::mutex out_mutex;

static void emit(const std::string& kind, const std::string& text) {
  std::string t = text;
  for (auto& c : t) if (c == '\x01') c = '|';
  std::lock_guard<std::mutex> lock(out_mutex);
  std::cout << kind << ' ' << t << std::endl;
}

class App : public FIX::Application {
 public:
  FIX::SessionID session;
  void onCreate(const FIX::SessionID& id) override { session = id; }
  void onLogon(const FIX::SessionID& id) override {
    FIX::Session* s = FIX::Session::lookupSession(id);
    emit("LOGON", std::to_string(s->getExpectedSenderNum()) + " " + std::to_string(s->getExpectedTargetNum()));
  }
  void onLogout(const FIX::SessionID&) override { emit("LOGOUT", "-"); }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override {
    if (m.getHeader().getField(35) == "A") {
      const char* pw = std::getenv("FIX_ENC_PASSWORD");
      std::string enc = pw == nullptr ? "" : pw;
      m.setField(1400, "101");
      m.setField(1401, std::to_string(enc.size()));
      m.setField(1402, enc);
    }
    emit("OUT", m.toString());
  }
  void toApp(FIX::Message& m, const FIX::SessionID&) throw(FIX::DoNotSend) override { emit("OUT", m.toString()); }
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override { emit("IN", m.toString()); }
  void fromApp(const FIX::Message& m, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override { emit("IN", m.toString()); }
};

static FIX::Message build(const std::string& spec) {
  FIX::Message m;
  std::stringstream ss(spec);
  std::string item;
  FIX::Group* group = nullptr;
  int groupCount = 0;
  while (std::getline(ss, item, '|')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    int tag = std::stoi(item.substr(0, eq));
    std::string value = item.substr(eq + 1);
    if (tag == 35) { m.getHeader().setField(35, value); continue; }
    if (tag == 453) { groupCount = std::stoi(value); continue; }
    if (groupCount > 0 && (tag == 448 || tag == 447 || tag == 452)) {
      if (tag == 448) {
        if (group != nullptr) { m.addGroup(*group); delete group; }
        group = new FIX::Group(453, 448);
      }
      if (group != nullptr) group->setField(tag, value);
      continue;
    }
    m.setField(tag, value);
  }
  if (group != nullptr) { m.addGroup(*group); delete group; }
  return m;
}

int main(int argc, char** argv) {
  if (argc < 2) { std::cerr << "usage: initiator <settings file>" << std::endl; return 2; }
  FIX::SessionSettings settings(argv[1]);
  App app;
  FIX::FileStoreFactory store(settings);
  FIX::FileLogFactory log(settings);
  FIX::SocketInitiator initiator(app, store, settings, log);
  initiator.start();
  std::string line;
  while (std::getline(std::cin, line)) {
    FIX::Session* s = FIX::Session::lookupSession(app.session);
    if (line == "quit") break;
    if (line == "pause") { s->logout("pause"); continue; }
    if (line == "resume") { s->logon(); continue; }
    if (line.rfind("send ", 0) == 0) {
      FIX::Message m = build(line.substr(5));
      try {
        FIX::Session::sendToTarget(m, app.session);
      } catch (std::exception& e) {
        emit("ERROR", e.what());
      }
    }
  }
  initiator.stop(true);
  return 0;
}
