/* ContinuousKeyword - Hark keyword spotting from the PDM microphone of an Arduino Nano 33 BLE Sense.

   The PDM library delivers 16 kHz mono int16 samples in an interrupt; they go into a ring buffer, and loop() pushes
   them into hark_kws in blocks. A detection lights the built-in LED for half a second and prints the keyword. If
   loop() falls behind (e.g. a slow Serial), the ring overflows: that is counted and reported, never silent.

   Needs the "Arduino Mbed OS Nano Boards" core (PDM library). Not built by Hark's tests (no Arduino core there);
   the library sources in src/ are. */
#include <PDM.h>

#include <hark_kws.h>

#if HARK_FRONTEND_SAMPLE_RATE != 16000
#error "the Nano 33 BLE Sense PDM microphone runs at 16 kHz: export a 16 kHz model"
#endif

static const int kRingSamples = 4096;   // 256 ms: plenty of slack for one inference
static const int kBlockSamples = 320;   // 20 ms, the front end's stride

static hark_kws kws;
static int16_t ring[kRingSamples];
static volatile uint32_t written = 0;   // samples the PDM interrupt stored (only it writes this)
static uint32_t consumed = 0;           // samples loop() took (only it writes this)
static uint32_t lost = 0, reportedLost = 0;
static unsigned long ledOffAt = 0;

// Called by the PDM library in interrupt context: copy out, nothing else.
static void onPdmData() {
  int16_t buffer[256];
  int bytes = PDM.available();
  if (bytes > (int)sizeof buffer) bytes = sizeof buffer;
  int n = PDM.read(buffer, bytes) / 2;
  uint32_t w = written;
  for (int i = 0; i < n; i++) ring[(w + i) % kRingSamples] = buffer[i];
  written = w + n;
}

void setup() {
  Serial.begin(115200);
  pinMode(LED_BUILTIN, OUTPUT);
  if (hark_kws_init(&kws) != HARK_KWS_OK) {
    Serial.println("hark: library init failed");
    while (true) {}
  }
  PDM.onReceive(onPdmData);
  PDM.setGain(30);
  if (!PDM.begin(1, HARK_FRONTEND_SAMPLE_RATE)) {
    Serial.println("hark: could not start the PDM microphone");
    while (true) {}
  }
  Serial.print("hark: listening (model ");
  Serial.print(HARK_MODEL_NAME);
  Serial.println(")");
}

void loop() {
  static int16_t block[kBlockSamples];
  uint32_t w = written;
  if (w - consumed > (uint32_t)kRingSamples) {  // the interrupt overwrote samples loop() never read
    lost += w - consumed - kRingSamples;
    consumed = w - kRingSamples;
  }
  while (w - consumed >= (uint32_t)kBlockSamples) {
    for (int i = 0; i < kBlockSamples; i++) block[i] = ring[(consumed + i) % kRingSamples];
    consumed += kBlockSamples;
    hark_kws_event events[2];
    int32_t n = hark_kws_push(&kws, block, kBlockSamples, events, 2);
    for (int32_t i = 0; i < n; i++) {
      Serial.print("hark: ");
      Serial.print(hark_kws_label(events[i].label));
      Serial.print(" at ");
      Serial.print((double)events[i].sample / HARK_FRONTEND_SAMPLE_RATE, 2);
      Serial.print(" s, score ");
      Serial.println(events[i].score / 256.0, 2);
      digitalWrite(LED_BUILTIN, HIGH);
      ledOffAt = millis() + 500;
    }
  }
  if (ledOffAt != 0 && (long)(millis() - ledOffAt) >= 0) {
    digitalWrite(LED_BUILTIN, LOW);
    ledOffAt = 0;
  }
  if (lost != reportedLost) {
    Serial.print("hark: WARNING: ");
    Serial.print(lost - reportedLost);
    Serial.println(" samples lost (loop() too slow)");
    reportedLost = lost;
  }
}
