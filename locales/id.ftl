# Teks bahasa Indonesia merchant-bot. Setiap kunci di sini juga ada di en.ftl (diperiksa oleh tes).
# Nilainya HTML Telegram: argumen di-escape oleh bot sebelum disisipkan.

lang-name = Bahasa Indonesia

## Deskripsi perintah (setMyCommands dan /help)
cmd-start = Sambutan dan apa yang bisa dilakukan bot ini
cmd-help = Semua perintah, masing-masing satu baris
cmd-language = Pilih Bahasa Indonesia atau English
cmd-cancel = Keluar dari dialog yang sedang berjalan

## /start dan /help
start-welcome =
    Halo, <b>{ $name }</b>! 👋

    Saya menyatukan akun payment gateway Anda dalam satu chat: saldo, invoice deposit
    QRIS berupa gambar, penarikan dana yang Anda konfirmasi dengan tombol, riwayat, dan
    notifikasi saat dana masuk.

    Kredensial Anda disimpan terenkripsi dan tidak pernah ditampilkan lagi setelah ditautkan.

    Kirim /help untuk melihat semua perintah.
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
error-internal = Terjadi kesalahan di sisi kami. Tidak ada yang diubah; silakan coba lagi sebentar lagi.
callback-stale = Tombol ini sudah tidak berlaku.
callback-not-yours = Tombol ini milik pengguna lain.

## Kesalahan gateway
gateway-credentials-rejected = Gateway menolak kredensial akun ini. Tautkan ulang dengan /link jika kredensialnya berubah.
gateway-refused =
    Gateway menolak:
    { $reasons }
gateway-not-found = Gateway tidak mengenal data itu. Periksa ID-nya lalu coba lagi.
gateway-unavailable = Gateway sedang tidak tersedia. Tidak ada yang diubah; silakan coba lagi beberapa menit lagi.
gateway-timed-out = Gateway tidak menjawab tepat waktu. Silakan coba lagi sebentar lagi.
gateway-unexpected = Gateway mengirim jawaban yang tidak dapat dibaca bot. Tidak ada yang diubah; silakan coba lagi nanti.
gateway-unsupported = Penyedia akun ini tidak menawarkan fitur itu.
refusal-account-not-yours = Rekening pencairan harus milik Anda.
refusal-wrong-password = Password tidak valid.
refusal-once-per-day = Pencairan hanya bisa dilakukan satu kali sehari.
refusal-invoice-paid = Invoice sudah dibayar dan tidak bisa dibatalkan.
