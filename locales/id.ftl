# Teks bahasa Indonesia merchant-bot. Setiap kunci di sini juga ada di en.ftl (diperiksa oleh tes).
# Nilainya HTML Telegram: argumen di-escape oleh bot sebelum disisipkan.
# Kunci berawalan cmd- (menu perintah), button- (label tombol), card- dan
# qris-card-footer (digambar pada gambar) adalah teks biasa; /help meng-escape teks cmd-.

lang-name = Bahasa Indonesia

## Deskripsi perintah (setMyCommands dan /help)
cmd-start = Sambutan dan apa yang bisa dilakukan bot ini
cmd-help = Semua perintah, masing-masing satu baris
cmd-language = Pilih Bahasa Indonesia atau English
cmd-cancel = Keluar dari dialog yang sedang berjalan

## /start dan /help
start-welcome =
    Halo, <b>{ $name }</b>! 👋

    Saya menjadikan akun payment gateway Anda sendiri sebuah kasir di chat ini: saldo, invoice QRIS berupa gambar, penarikan dana yang Anda konfirmasi dengan tombol, dan pesan saat dana masuk.

    <b>Mulai di sini:</b> tautkan akun dengan /link (Bukalapak, QRIS atau SNAP). Kredensial Anda disimpan terenkripsi dan tidak pernah ditampilkan lagi.

    Lalu <code>/deposit 25000</code> membuat invoice QRIS, /balance menampilkan saldo, dan /help memuat semua perintah.
button-start-link = 🔗 Tautkan akun
button-start-deposit = 🧾 Deposit
button-start-balance = 💰 Saldo
button-start-help = ❓ Semua perintah
help-header = <b>Perintah</b>
help-footer = Nominal bisa ditulis <code>50000</code>, <code>50.000</code>, <code>Rp 50.000</code>, <code>50rb</code> atau <code>1,5jt</code>.

## /language
language-choose = Pilih bahasa Anda:
language-set = Bahasa diatur ke Bahasa Indonesia. Deskripsi perintah kini juga dalam Bahasa Indonesia.

## /cancel
cancel-done = Dibatalkan. Tidak ada yang diubah.
cancel-nothing = Tidak ada yang perlu dibatalkan.

## Umum
unknown-command = Saya tidak mengenal perintah itu. Kirim /help untuk melihat apa yang bisa saya lakukan.
unknown-text = Kirim /help untuk melihat apa yang bisa saya lakukan.
error-reply-refused = ⚠️ Jawaban ini tidak bisa saya tampilkan: Telegram menolak pesan yang saya susun. Itu kesalahan bot, bukan kesalahan kiriman Anda, dan sudah dicatat untuk operator. Silakan coba lagi nanti, atau lihat /help.
error-internal = Terjadi kesalahan di sisi kami. Tidak ada yang diubah; silakan coba lagi sebentar lagi.
callback-stale = Tombol ini sudah tidak berlaku.
callback-not-yours = Tombol ini milik pengguna lain.

## Kesalahan gateway
gateway-credentials-rejected = Gateway menolak kredensial akun ini. Tautkan ulang dengan /link jika kredensialnya berubah.
gateway-refused =
    Gateway menolak:
    { $reasons }
gateway-not-found = Gateway tidak mengenal data itu. Periksa ID-nya lalu coba lagi.
gateway-slow = ⏳ Gateway lambat menjawab. Saya akan menjawab di sini segera setelah gateway menjawab.
gateway-unavailable = Gateway sedang tidak tersedia. Tidak ada yang diubah; silakan coba lagi beberapa menit lagi.
gateway-timed-out = Gateway tidak menjawab tepat waktu. Silakan coba lagi sebentar lagi.
gateway-busy = Gateway sedang lambat menjawab dan banyak permintaan sudah menunggunya. Tidak ada yang dikirim; silakan coba lagi sebentar lagi.
gateway-unexpected = Gateway mengirim jawaban yang tidak dapat dibaca bot. Tidak ada yang diubah; silakan coba lagi nanti.
gateway-unsupported = Penyedia akun ini tidak menawarkan fitur itu.
refusal-account-not-yours = Rekening pencairan harus milik Anda.
refusal-wrong-password = Password tidak valid.
refusal-once-per-day = Pencairan hanya bisa dilakukan satu kali sehari.
refusal-invoice-paid = Invoice sudah dibayar dan tidak bisa dibatalkan.

## Deskripsi perintah lainnya
cmd-link = Tautkan akun payment gateway
cmd-accounts = Akun tertaut Anda: default dan lepas tautan
cmd-balance = Saldo akun Anda (atau satu akun: /balance toko-1)
cmd-withdrawals = Riwayat penarikan (/withdrawals pending)
cmd-mutations = Riwayat mutasi Bukalapak
cmd-disbursement = Satu disbursement SNAP: /disbursement 4565456565
cmd-subaccounts = Sub akun SNAP
cmd-va = Virtual account SNAP (/va permanent)

## Nama
provider-bukalapak = Bukalapak Dompet
provider-qris = QRIS
provider-snap = SNAP
status-pending = ⏳ menunggu
status-success = ✅ berhasil
status-rejected = ❌ ditolak
status-failed = ❌ gagal
status-paid = ✅ dibayar
status-expired = ⌛ kedaluwarsa
status-active = aktif
status-inactive = nonaktif
va-temporary = sementara
va-permanent = permanen
fee = Biaya

## Tombol
button-cancel = ✖ Batal
button-replace = ♻️ Ganti
button-make-default = ⭐ { $label }
button-unlink = 🗑 { $label }
button-unlink-confirm = 🗑 Ya, lepas tautan
button-keep = Biarkan
button-va-temporary = Tampilkan yang sementara
button-va-permanent = Tampilkan yang permanen

## Data pribadi tetap pribadi
private-only = Saya hanya menampilkan akun, saldo, dan riwayat di chat pribadi, dan tidak pernah meminta kredensial di grup. Kirim pesan ke @{ $bot }.
dialogue-text-please = Silakan jawab dengan pesan teks, atau kirim /cancel.

## /link
link-choose-provider = Akun ini ada di gateway mana?
link-press-button = Silakan pilih gateway dengan tombol di atas, atau kirim /cancel.
link-ask-label = Beri akun { $provider } ini nama pendek (huruf, angka, <code>-</code> dan <code>_</code>), atau gunakan <b>{ $label }</b>.
link-use-label = Gunakan { $label }
link-label-chosen = Nama: <b>{ $label }</b>
link-label-invalid = Nama itu tidak bisa dipakai: { $reason } Contoh: <code>toko-1</code>.
label-error-length = nama terdiri dari 1 sampai 32 karakter.
label-error-characters = gunakan hanya huruf, angka, <code>-</code> dan <code>_</code>, diawali huruf atau angka.
link-label-exists = Anda sudah punya akun bernama <b>{ $label }</b> ({ $provider }). Ganti dengan kredensial baru?
link-replacing = Mengganti <b>{ $label }</b>.
link-ask-field = Kirim <code>{ $field }</code> akun ini ({ $step }/{ $steps }). Pesan Anda saya hapus begitu selesai dibaca.
link-field-invalid = Itu tidak tampak seperti <code>{ $field }</code>: satu baris tanpa spasi. Kirim lagi, atau /cancel.
secret-unexpected = 🔐 Itu tampak seperti kunci atau kata sandi, jadi saya menghapusnya: tidak ada dialog yang sedang menunggunya. Untuk menautkan akun, kirim /link.
secret-not-a-label = 🔐 Itu tampak seperti kunci, bukan nama, jadi saya menghapusnya. Beri nama singkat untuk akun ini dulu (mis. <code>toko-1</code>); kuncinya diminta sesudahnya.
secret-in-caption = 🔐 Keterangan foto tampak seperti kunci atau kata sandi, jadi saya menghapus pesannya. Kirim kredensial sebagai pesan teks biasa saat /link memintanya.
link-delete-failed = ⚠️ Pesan Anda tidak dapat saya hapus. Silakan hapus sendiri.
link-checking = Memeriksa kredensial ke { $provider }…
link-rejected = ❌ { $provider } menolak kredensial ini, jadi tidak ada yang disimpan. Kirim <code>{ $field }</code> lagi untuk mencoba ulang, atau /cancel.
link-failed =
    Kredensial tidak dapat diperiksa: { $error }
    Tidak ada yang disimpan. Kirim <code>{ $field }</code> lagi untuk mencoba ulang, atau /cancel.
link-label-changed = Nama ini baru saja ditautkan atau dilepas dari perangkat lain; tidak ada yang disimpan. Kirim /link untuk mulai lagi.
link-done =
    ✅ <b>{ $label }</b> ({ $provider }) berhasil ditautkan.
    { $masked }
    { $default }
link-is-default = Ini akun default Anda.
link-not-default = Jadikan default lewat /accounts.

## /accounts
accounts-none = Anda belum menautkan akun. Kirim /link untuk menambahkan.
accounts-header = <b>Akun Anda</b>
accounts-line = { $marker } <b>{ $label }</b> — { $provider }
accounts-hint = ⭐ menandai akun default, dipakai bila perintah tidak menyebut akun. Tombol: ⭐ jadikan default, 🗑 lepas tautan.
accounts-confirm-unlink = Lepas tautan <b>{ $label }</b> ({ $provider })? Kredensialnya dihapus dan notifikasinya berhenti.
accounts-unlinked = 🗑 Tautan <b>{ $label }</b> dilepas. Kredensialnya sudah dihapus.
accounts-default-set = ⭐ <b>{ $label }</b> sekarang akun default Anda.
account-gone = Akun itu sudah tidak tertaut.
account-unreadable = Kredensial tersimpan <b>{ $label }</b> tidak dapat dibaca dengan kunci bot ini. Tautkan ulang dengan /link.
account-error =
    <b>{ $label }</b>: { $error }

## Memilih akun
need-link = Anda belum menautkan akun. Kirim /link untuk menautkan.
no-capable = Tidak ada akun Anda yang menawarkan ini; akun { $providers } menawarkannya. Tautkan dengan /link.
account-cannot = <b>{ $label }</b> ({ $provider }) tidak menawarkan ini; akun { $providers } menawarkannya.
unknown-account = Anda tidak punya akun bernama <b>{ $label }</b>. Akun Anda: { $labels }.
choose-account = Akun yang mana?

## /balance
balance-header = <b>Saldo</b>
balance-line = <b>{ $label }</b> ({ $provider }): <b>{ $amount }</b>
balance-from-mutation = <i>Dari mutasi terbaru ({ $at }): Bukalapak tidak punya endpoint saldo.</i>
balance-no-mutations = <i>Belum ada mutasi.</i>
balance-after = Saldo akhir: { $amount }

## Daftar
list-withdrawals-title = <b>Penarikan</b> — { $label }
list-mutations-title = <b>Mutasi</b> — { $label }
list-subaccounts-title = <b>Sub akun</b> — { $label }
list-va-title = <b>Virtual account ({ $kind })</b> — { $label }
list-cut = … dan { $count } lagi tidak ditampilkan di sini: pesannya akan terlalu panjang.
list-empty = Belum ada apa-apa di sini.
list-page = Halaman { $page } dari { $pages }
list-page-unknown = Halaman { $page }
bank-account = rekening { $id }
admin-note = Catatan: { $note }
va-kind-invalid = Jenisnya <code>temporary</code> atau <code>permanent</code>, mis. <code>/va permanent</code>.

## /disbursement
disbursement-usage = Kirim ID transaksinya, mis. <code>/disbursement 4565456565</code>.
disbursement-title = <b>Disbursement { $id }</b> — { $label }
disbursement-status = Status: { $status }
disbursement-amount = Jumlah: { $amount }
disbursement-fee = { $name }: { $amount }
disbursement-total = Total: { $amount }
disbursement-bank = Bank: { $bank }
disbursement-posted = Diajukan: { $at }
disbursement-processed = Diproses: { $at }
disbursement-notes = Catatan: { $notes }

## Deposit dan invoice
cmd-deposit = Invoice deposit QRIS berupa gambar: /deposit 25000
cmd-invoice = Status satu invoice: /invoice <id>
cmd-invoices = Invoice yang dibuat lewat bot
cmd-qris = QRIS Anda sendiri untuk suatu nominal: /qris 25000 (kirim fotonya dulu)
amount-not-a-number = Itu bukan nominal. Tulis seperti <code>25000</code>, <code>25.000</code>, <code>Rp 25.000</code> atau <code>25rb</code>.
amount-not-positive = Nominal harus lebih dari nol, mis. <code>25000</code>.
amount-fractional = Rupiah tidak pakai sen: tulis <code>25000</code>, bukan <code>25.000,50</code>.
amount-too-large = Maksimal satu deposit { $max }. Contoh: <code>/deposit 25000</code>.
deposit-usage = Kirim nominalnya, mis. <code>/deposit 25000</code> atau <code>/deposit 1,5jt</code>.
invoice-creating = Membuat invoice di <b>{ $label }</b>…
invoice-title = 🧾 <b>Invoice { $id }</b> — { $label }
invoice-amount = Jumlah: { $amount }
invoice-fee = Biaya: { $amount }
invoice-total = <b>Total dibayar: { $amount }</b>
invoice-expires = Berlaku sampai: { $at }
invoice-status = Status: { $status }
invoice-no-qr = ⚠️ Gateway tidak memberikan kode QR untuk invoice ini.
invoice-usage = Kirim ID invoicenya, mis. <code>/invoice 64c8d9e</code>. /invoices menampilkan daftarnya.
invoice-unknown = Tidak ada invoice <code>{ $id }</code> yang dibuat lewat bot ini. /invoices menampilkan daftarnya.
invoices-title = <b>Invoice Anda</b>
invoices-none = Belum ada invoice. Buat dengan <code>/deposit 25000</code>.
status-cancelled = ✖ dibatalkan
button-check-status = 🔄 Cek status
button-cancel-invoice = ✖ Batalkan invoice
card-amount = Jumlah
card-fee = Biaya
card-total = Total
card-invoice = Invoice
card-expires = Berlaku sampai
card-city = Kota
card-footer = Bayar dengan aplikasi apa pun yang mendukung QRIS

## QRIS statis
button-save = 💾 Simpan
qris-photo-unavailable = Foto itu tidak dapat saya baca. Silakan kirim lagi.
qris-photo-no-code = Tidak ada kode QR di foto ini. Kirim foto QRIS cetak Anda yang tajam dan lurus.
qris-photo-invalid = Kode QR ini bukan QRIS yang valid: { $reason }
qris-invalid-crc = checksum-nya salah.
qris-invalid-missing = field { $tag } tidak ada.
qris-invalid-country = negaranya { $country }, bukan Indonesia.
qris-invalid-currency = mata uangnya { $currency }, bukan rupiah.
qris-invalid-structure = isinya tidak tersusun sebagai QRIS.
qris-photo-dynamic = Ini QRIS dinamis, untuk satu pembayaran. Kirim foto QRIS statis cetak Anda.
qris-photo-found = Ditemukan QRIS statis <b>{ $merchant }</b> ({ $city }). Simpan, agar <code>/qris 25000</code> membuat QRIS untuk suatu nominal?
qris-photo-replaces = Ini menggantikan QRIS tersimpan milik <b>{ $merchant }</b>.
qris-saved = 💾 QRIS <b>{ $merchant }</b> disimpan. Kirim <code>/qris 25000</code> untuk QRIS senilai Rp 25.000.
qris-current = QRIS tersimpan: <b>{ $merchant }</b>. Kirim <code>/qris 25000</code> untuk suatu nominal, atau foto QRIS cetak lain untuk menggantinya.
qris-none = Kirim dulu foto QRIS statis cetak Anda; lalu <code>/qris 25000</code> membuat QRIS untuk nominal itu.
qris-card-footer = Dibuat dari QRIS statis merchant: tanpa konfirmasi pembayaran
qris-dynamic-caption =
    QRIS <b>{ $merchant }</b> senilai <b>{ $amount }</b>.
    ⚠️ Dibuat oleh bot ini dari QRIS statis Anda, bukan diterbitkan penyedia pembayaran: tidak akan ada konfirmasi pembayaran. Periksa pembayaran di aplikasi bank atau dompet Anda.

## /withdraw
cmd-withdraw = Tarik dana: QRIS ke DANA, Bukalapak ke rekening Anda
cmd-pin = Atur, ubah, atau hapus PIN penarikan
button-confirm = ✅ Konfirmasi
withdraw-locked = 🔒 Penarikan dikunci karena terlalu banyak PIN salah, sampai { $until }.
withdraw-choose-account = Tarik dari akun yang mana?
withdraw-from = Tarik dana dari <b>{ $label }</b> ({ $provider }).
withdraw-balance = Saldo: <b>{ $amount }</b>
withdraw-balance-unknown = Saldo tidak dapat dibaca saat ini.
withdraw-ask-amount = Berapa? mis. <code>100000</code> atau <code>100rb</code>. /cancel untuk berhenti.
withdraw-above-balance = Itu melebihi saldo ({ $amount }). Kirim nominal yang lebih kecil, atau /cancel.
withdraw-ask-dana-number = Kirim nomor DANA tujuan (<code>08…</code> atau <code>628…</code>, 10 sampai 15 digit).
withdraw-ask-dana-name = Kirim nama pemilik akun DANA itu.
withdraw-ask-bank-account = Kirim <code>bank_account_id</code> rekening Bukalapak Anda (angka).
withdraw-recent = Atau pilih yang pernah dipakai:
withdraw-bad-dana-number = Itu bukan nomor DANA: diawali <code>08</code> atau <code>628</code> dan 10 sampai 15 digit, mis. <code>081234567890</code>.
withdraw-bad-dana-name = Kirim nama pemilik akun dengan huruf, mis. <code>John Doe</code>.
withdraw-bad-bank-account = <code>bank_account_id</code> berupa angka, mis. <code>41812</code>.
withdraw-summary =
    <b>Penarikan</b>
    Jumlah: <b>{ $amount }</b>
    Dari: { $label } ({ $provider })
    Ke: { $destination }
    { $fee }

    Konfirmasi untuk mengirimnya, sekali saja.
withdraw-fee-after = Biaya: ditentukan gateway, ditampilkan setelah dikirim.
withdraw-fee-bukalapak = Biaya: sesuai Bukalapak; password akun Anda diminta setelah Konfirmasi.
withdraw-press-button = Silakan tekan ✅ Konfirmasi atau ✖ Batal di atas, atau kirim /cancel.
withdraw-expired = ⌛ Penarikan ini kedaluwarsa sebelum dikonfirmasi. Tidak ada yang dikirim; mulai lagi dengan /withdraw.
withdraw-ask-pin = 🔐 Kirim PIN penarikan Anda. Pesannya langsung saya hapus.
withdraw-wrong-pin = ❌ PIN salah. Sisa { $left } percobaan sebelum penarikan dikunci 15 menit.
withdraw-ask-password = 🔐 Kirim password akun Bukalapak Anda. Hanya dipakai untuk penarikan ini, langsung dihapus dari chat, dan tidak pernah disimpan.
withdraw-sending = Mengirim penarikan…
withdraw-done = ✅ Penarikan <b>{ $amount }</b> ke { $destination } terkirim.
withdraw-id = ID penarikan: <code>{ $id }</code>
withdraw-fee = Biaya: { $amount }
withdraw-total = Total dipotong: { $amount }
withdraw-new-balance = Saldo baru: { $amount }
withdraw-watched = Anda akan dikabari saat statusnya berubah.
withdraw-refused =
    ❌ Tidak terkirim.
    { $error }
withdraw-unknown = ⚠️ Gateway tidak menjawab, jadi belum diketahui apakah penarikan terjadi. Penarikan <b>tidak</b> akan dikirim ulang: bot memeriksa riwayat gateway dan /withdrawals akan menampilkannya.
withdraw-cancelled = ✖ Penarikan dibatalkan. Tidak ada yang dikirim.

## /pin
pin-none = Belum ada PIN penarikan. Dengan PIN, penarikan di atas nominal pilihan Anda akan memintanya.
pin-set-info = PIN penarikan sudah diatur. PIN diminta untuk penarikan di atas <b>{ $threshold }</b>.
button-pin-set = 🔐 Atur PIN
button-pin-change = Ubah PIN
button-pin-threshold = Ubah nominal
button-pin-remove = Hapus PIN
pin-ask-new = Kirim PIN baru: 4 sampai 8 digit. Pesannya langsung saya hapus.
pin-ask-repeat = Kirim PIN yang sama sekali lagi.
pin-ask-current = Kirim PIN Anda saat ini.
pin-ask-threshold = Di atas nominal berapa penarikan meminta PIN? mis. <code>500000</code>, atau <code>0</code> untuk setiap penarikan.
pin-invalid = PIN terdiri dari 4 sampai 8 digit. Kirim yang lain.
pin-mismatch = Kedua PIN berbeda. Kirim PIN baru lagi.
pin-saved = 🔐 PIN disimpan. PIN diminta untuk penarikan di atas <b>{ $threshold }</b>.
pin-removed = PIN dihapus.
pin-wrong = ❌ PIN salah. Kirim lagi, atau /cancel.
pin-locked = 🔒 Terlalu banyak PIN salah: penarikan dan perubahan PIN dikunci 15 menit.
pin-threshold-saved = PIN kini diminta untuk penarikan di atas <b>{ $threshold }</b>.

## Notifikasi
cmd-notify = Nyalakan atau matikan tiap jenis notifikasi
notify-settings =
    <b>Notifikasi</b>
    { $list }

    Tekan tombol untuk mengubahnya.
notify-on = nyala
notify-off = mati
notify-kind-invoices = Invoice dibayar atau kedaluwarsa
notify-kind-withdrawals = Status penarikan
notify-kind-mutations = Dana masuk (Bukalapak)
notify-kind-disbursements = Disbursement (SNAP)
notify-invoice-paid = 💰 Invoice <code>{ $invoice }</code> ({ $label }) <b>sudah dibayar</b>: { $amount } diterima (pelanggan membayar { $total }).
notify-invoice-expired = ⌛ Invoice <code>{ $invoice }</code> ({ $label }) senilai { $total } kedaluwarsa tanpa dibayar.
notify-withdrawal = 🏦 Penarikan <code>{ $withdrawal }</code> senilai { $amount } ({ $label }): { $status }
notify-money-in = 💰 <b>{ $amount }</b> masuk ke { $label } ({ $action }). Saldo: { $balance }
notify-disbursement = 📤 Disbursement <code>{ $transaction }</code> senilai { $amount } ({ $label }): { $status }
notify-credentials-rejected = ⚠️ Gateway kini menolak kredensial <b>{ $label }</b>, jadi notifikasinya dijeda. Tautkan ulang dengan /link (nama yang sama) untuk melanjutkan.

## /group
cmd-group = Di grup: /group on menampilkan saldo dan daftar Anda di sana
group-only-in-group = Kirim <code>/group on</code> di grup untuk melihat saldo, daftar, dan invoice Anda di sana.
group-enabled = Grup ini kini melihat saldo, daftar, dan invoice Anda saat Anda memintanya. Kredensial, PIN, dan password tetap hanya diminta di chat pribadi. <code>/group off</code> menghentikannya.
group-disabled = Grup ini tidak lagi melihat saldo, daftar, atau invoice Anda.
group-usage = <code>/group on</code> menampilkan saldo, daftar, dan invoice Anda di grup ini; <code>/group off</code> menghentikannya.

## Laporan dan ekspor
cmd-report = Pemasukan dan penarikan dengan grafik: /report minggu
cmd-export = Berkas CSV: /export invoices bulan
report-bad-period = Itu bukan periode. Coba { $usage } dengan <code>hari ini</code>, <code>kemarin</code>, <code>minggu</code>, <code>bulan</code>, <code>bulan lalu</code>, tanggal seperti <code>6/12/2026</code>, atau <code>1/12/2026..6/12/2026</code> (WIB).
report-backwards = Periode berakhir sebelum dimulai. Tulis tanggal yang lebih awal dulu, mis. <code>1/12/2026..6/12/2026</code>.
report-future = Periode itu belum dimulai. Tanggal dalam WIB.
report-too-long = Satu periode paling lama { $days } hari.
report-title = 📊 <b>Laporan { $period }</b> (WIB)
report-account = <b>{ $label }</b>
report-total = <b>Total</b>
report-paid = Invoice dibayar: { $count }, { $sum } diterima (biaya dari pelanggan { $fees })
report-unpaid = Belum dibayar: { $expired } kedaluwarsa, { $cancelled } dibatalkan
report-withdrawn = Ditarik: { $count }, { $sum } (biaya { $fees })
report-rejected = Penarikan ditolak: { $count }
report-in-doubt = Penarikan yang masih diperiksa: { $count }
report-nothing = Tidak ada pembayaran atau penarikan pada periode ini.
report-source = Invoice, dan penarikan yang dikirim lewat bot, berasal dari catatan bot ini: penjualan dihitung pada hari invoice terlihat dibayar, penarikan pada hari dikirim. Uang yang masuk di luar bot tidak termasuk (/mutations menampilkan milik Bukalapak).
report-history-read = Penarikan di luar bot diambil dari riwayat gateway untuk: { $labels }.
report-history-failed = Riwayat gateway { $labels } tidak bisa dibaca sekarang, jadi penarikan di luar bot di sana tidak termasuk.
report-outside = Ditarik di luar bot (riwayat gateway): { $count }, { $sum } (biaya { $fees })
report-chart-caption = 📊 Penjualan, { $period } (WIB)
card-chart-days = Penjualan per hari, { $period }
card-chart-hours = Penjualan per jam, { $period }
export-usage = Kirim <code>/export invoices</code> atau <code>/export withdrawals</code>, boleh dengan periode: <code>/export invoices minggu</code>, <code>/export withdrawals 1/11/2026..30/11/2026</code>. Tanpa periode, bulan ini.
export-no-invoices = Tidak ada invoice yang dibuat lewat bot ini pada { $period }.
export-no-withdrawals = Tidak ada penarikan yang dikirim lewat bot ini pada { $period }.
export-caption = { $count } baris, { $period } (WIB). CSV UTF-8: bisa dibuka di program spreadsheet apa pun.
notify-kind-daily = Ringkasan harian
notify-daily-at = pukul { $hour } WIB
notify-daily-quiet-days = (juga pada hari tanpa transaksi)
notify-daily-menu = <b>Ringkasan harian</b>: pemasukan dan penarikan hari ini, sekali sehari pada jam pilihan Anda (WIB). Pada hari tanpa transaksi ringkasan hanya datang jika Anda menyalakannya.
button-daily-quiet-days = Juga pada hari sepi
button-daily-off = Matikan
notify-daily-summary =
    📊 <b>Hari ini, { $day }</b>
    Invoice dibayar: { $paid_count }, { $paid } diterima (biaya dari pelanggan { $fees })
    Kedaluwarsa atau dibatalkan: { $expired }
    Ditarik: { $withdrawn_count }, { $withdrawn }
    /report menampilkan lebih banyak.

## Pay links: the customer's card, sharing, the card that marks itself
pay-title = 🧾 Pembayaran ke <b>{ $seller }</b>
stamp-paid = LUNAS
stamp-expired = KEDALUWARSA
stamp-cancelled = DIBATALKAN
button-share-invoice = 🔗 Bagikan ke pelanggan
button-share-telegram = 📤 Kirim lewat Telegram
share-text = 🔗 Kirim tautan ini ke pelanggan Anda (WhatsApp, grup, di mana saja). Tautan membuka QR invoice ini di Telegram dan berlaku sampai invoice dibayar, kedaluwarsa, atau dibatalkan; tidak menampilkan apa pun lagi dari akun Anda.

    { $link }
share-telegram-text = Pembayaran { $amount } ke { $seller }
pay-link-invalid = Tautan pembayaran ini tidak berlaku. Minta tautan baru ke penjual.
pay-link-paid = ✅ Invoice ini sudah dibayar. Tidak ada lagi yang perlu dilakukan.
pay-link-expired = ⌛ Invoice ini sudah kedaluwarsa. Minta tautan baru ke penjual.
pay-link-cancelled = ✖ Penjual membatalkan invoice ini.
pay-told-paid = ✅ Pembayaran diterima oleh <b>{ $seller }</b>: { $amount }. Terima kasih!
pay-told-expired = ⌛ Invoice dari <b>{ $seller }</b> kedaluwarsa tanpa dibayar. Minta invoice baru ke penjual bila masih ingin membayar.
pay-told-cancelled = ✖ <b>{ $seller }</b> membatalkan invoice ini.
pay-status-toast = Status: { $status }
pay-status-busy = Baru saja dicek: { $status }. Coba lagi beberapa detik lagi.

## Display names
accounts-display-name = dilihat pelanggan: { $name }
button-display-name = 🏷 Nama: { $label }
display-name-ask = Kirim nama yang dilihat pelanggan pada invoice dari <b>{ $label }</b> (nama toko, paling banyak 64 karakter). Sekarang: { $current }.

    Kirim <code>-</code> untuk memakai nama merchant di kode QRIS, atau /cancel.
display-name-none = nama merchant di kode QRIS
display-name-set = 🏷 Pelanggan sekarang melihat <b>{ $name }</b> pada invoice baru dari <b>{ $label }</b>.
display-name-cleared = 🏷 Invoice baru dari <b>{ $label }</b> menampilkan nama merchant di kode QRIS.
display-name-empty = Namanya kosong. Kirim nama toko, <code>-</code> untuk menghapusnya, atau /cancel.
display-name-too-long = Lebih dari 64 karakter. Kirim nama yang lebih pendek, atau /cancel.
display-name-control = Nama berisi karakter yang tidak bisa ditampilkan. Kirim teks biasa, atau /cancel.

## Inline mode
inline-no-account = Tautkan akun QRIS di bot untuk membuat invoice di sini
inline-type-amount = Ketik jumlah, mis. 25000 (dan label akun)
inline-no-such-account = Anda tidak punya akun QRIS bernama { $label }
inline-result-title = 🧾 Invoice { $amount } ({ $label })
inline-result-description = Memasang invoice QRIS di sini untuk dibayar pelanggan
inline-creating = 🧾 Membuat invoice <b>{ $amount }</b>…
inline-wait-button = ⏳ Sedang dibuat…
inline-wait-toast = Invoice sedang dibuat; tunggu sebentar.
inline-open-qr = 📱 Buka QR untuk membayar
inline-merchant-copy = 📌 Dipasang di obrolan lewat mode inline. Salinan ini milik Anda: Batalkan dan Bagikan berfungsi di sini.

## Staff
cmd-staff = Izinkan kasir membuat invoice di akun Anda
staff-title = 👥 <b>Staf</b>
staff-none = Belum ada staf.
staff-hint = Staf membuat invoice di akun yang Anda berikan (/deposit) dan melihat invoice buatan mereka. Mereka tidak bisa melihat saldo atau riwayat, menarik dana, menautkan atau melepas akun, atau mengubah PIN Anda. Tautan undangan berlaku sekali, selama 24 jam.
staff-recent = <b>Aktivitas terbaru</b>
staff-you = Anda
staff-need-qris = Staf membuat invoice QRIS: tautkan akun QRIS dulu (/link).
staff-member = 👤 Anda staf di akun berikut:
    { $accounts }

    Buat invoice dengan /deposit, dan lihat invoice buatan Anda dengan /invoices.
button-staff-invite = ➕ Undang untuk { $label }
button-staff-invite-all = ➕ Undang untuk semua akun QRIS
button-staff-remove = 🗑 Keluarkan
staff-invite = 🔗 Kirim tautan ini ke kasir Anda. Berlaku <b>sekali</b>, selama <b>24 jam</b>, untuk membuat invoice di <b>{ $accounts }</b> dan melihat invoice buatannya — tidak lebih.

    { $link }
staff-invite-invalid = Undangan staf ini tidak berlaku. Minta undangan baru ke pemilik.
staff-invite-spent = Undangan staf ini sudah dipakai atau lebih dari 24 jam. Minta undangan baru ke pemilik.
staff-invite-yourself = Ini undangan staf Anda sendiri: kirimkan ke kasir Anda.
staff-invite-has-accounts = Anda punya akun tertaut sendiri, jadi tidak bisa menjadi staf orang lain. Lepas tautannya di /accounts dulu.
staff-joined = 👤 Anda sekarang staf di <b>{ $accounts }</b>. Buat invoice dengan /deposit, dan lihat invoice buatan Anda dengan /invoices.
staff-joined-owner = 👥 <b>{ $name }</b> bergabung sebagai staf untuk <b>{ $accounts }</b>. /staff menampilkan dan mengeluarkan staf.
staff-refused = 🚫 Sebagai staf Anda bisa membuat invoice (/deposit) dan melihat invoice buatan Anda (/invoices). { $command } hanya untuk pemilik akun.
staff-removed = 🚫 Anda bukan staf lagi: pemilik mengeluarkan Anda. Minta undangan baru bila ini keliru.
staff-you-were-removed = 🚫 Pemilik mengeluarkan Anda dari stafnya. Anda tidak bisa lagi membuat invoice di akunnya.
staff-button-refused = Sebagai staf Anda hanya bisa membuat dan mengecek invoice.
audit-invited = membuat undangan
audit-joined = bergabung
audit-invoice-created = membuat invoice { $invoice } di { $label }
audit-invoice-cancelled = membatalkan invoice { $invoice }
audit-invoice-shared = membagikan invoice { $invoice }
audit-refused = ditolak { $command }
audit-removed = dikeluarkan
