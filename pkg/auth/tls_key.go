package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The prompt Pgpool (and OpenSSL) hands ssl_passphrase_command as %p.
const passphrasePrompt = "Enter PEM pass phrase:"

// keyFileWarning is Pgpool's warning for a key readable by others; like
// Pgpool we warn and go on.
func keyFileWarning(path string, fi os.FileInfo) string {
	perm := fi.Mode().Perm()
	if perm&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("private key file %q has group or world access; permissions should be u=rw (0600) or less", path)
}

// loadPrivateKey reads ssl_key: PKCS#1, SEC 1 or PKCS#8 PEM, encrypted
// with a passphrase that ssl_passphrase_command prints (legacy OpenSSL
// "Proc-Type: 4,ENCRYPTED" PEM, or PKCS#8 "ENCRYPTED PRIVATE KEY" with
// PBES2, which openssl genpkey and PostgreSQL's docs produce).
func loadPrivateKey(path, passCmd string) (crypto.Signer, []string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("could not access private key file %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("private key file %q is not a regular file", path)
	}
	var warnings []string
	if w := keyFileWarning(path, fi); w != "" {
		warnings = append(warnings, w)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, warnings, fmt.Errorf("could not load private key file %q: %w", path, err)
	}
	var block *pem.Block
	for rest := data; ; {
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, warnings, fmt.Errorf("could not load private key file %q: no PEM private key found", path)
		}
		if strings.HasSuffix(block.Type, "PRIVATE KEY") {
			break
		}
	}
	der := block.Bytes
	//lint:ignore SA1019 legacy encrypted PEM is what "openssl rsa -aes256" writes; Go can still read it
	legacy := x509.IsEncryptedPEMBlock(block) //nolint:staticcheck
	if legacy || block.Type == "ENCRYPTED PRIVATE KEY" {
		if passCmd == "" {
			return nil, warnings, fmt.Errorf("private key file %q cannot be reloaded because it requires a passphrase", path)
		}
		pass, err := runPassphraseCommand(passCmd)
		if err != nil {
			return nil, warnings, err
		}
		if legacy {
			der, err = x509.DecryptPEMBlock(block, pass) //nolint:staticcheck // see above
		} else {
			der, err = decryptPKCS8(block.Bytes, pass)
		}
		if err != nil {
			return nil, warnings, fmt.Errorf("could not load private key file %q: %w (wrong passphrase from ssl_passphrase_command?)", path, err)
		}
	}
	key, err := parsePrivateKey(der)
	if err != nil {
		return nil, warnings, fmt.Errorf("could not load private key file %q: %w", path, err)
	}
	return key, warnings, nil
}

func parsePrivateKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
		return nil, errors.New("unsupported key type")
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not a PKCS#1, PKCS#8 or SEC 1 private key")
}

// runPassphraseCommand runs ssl_passphrase_command through the shell with
// %p replaced by the prompt and %% by %, and returns its first output
// line (Pgpool's run_ssl_passphrase_command).
func runPassphraseCommand(cmdText string) ([]byte, error) {
	var b strings.Builder
	for i := 0; i < len(cmdText); i++ {
		if cmdText[i] == '%' && i+1 < len(cmdText) {
			switch cmdText[i+1] {
			case 'p':
				b.WriteString(passphrasePrompt)
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(cmdText[i])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", b.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("command %q failed: %w", b.String(), err)
	}
	line, _ := bufio.NewReader(bytes.NewReader(out)).ReadString('\n')
	return []byte(strings.TrimSuffix(line, "\n")), nil
}

// PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018).

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     algorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc algorithmIdentifier
	EncryptionScheme  algorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                 `asn1:"optional"`
	PRF            algorithmIdentifier `asn1:"optional"`
}

func decryptPKCS8(der, pass []byte) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("malformed encrypted PKCS#8 key: %w", err)
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted PKCS#8 key uses %v; only PBES2 is supported", info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("malformed PBES2 parameters: %w", err)
	}
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, errors.New("PBES2 key derivation is not PBKDF2")
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("malformed PBKDF2 parameters: %w", err)
	}
	var prf func() hash.Hash
	switch alg := kdf.PRF.Algorithm; {
	case len(alg) == 0, alg.Equal(oidHMACSHA1):
		prf = sha1.New
	case alg.Equal(oidHMACSHA224):
		prf = sha256.New224
	case alg.Equal(oidHMACSHA256):
		prf = sha256.New
	case alg.Equal(oidHMACSHA384):
		prf = sha512.New384
	case alg.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("unsupported PBKDF2 PRF %v", alg)
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch alg := params.EncryptionScheme.Algorithm; {
	case alg.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case alg.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case alg.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case alg.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, fmt.Errorf("unsupported PBES2 cipher %v", alg)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("malformed PBES2 IV: %w", err)
	}
	if kdf.IterationCount < 1 || kdf.IterationCount > 10_000_000 {
		return nil, fmt.Errorf("PBKDF2 iteration count %d out of range", kdf.IterationCount)
	}
	key, err := pbkdf2.Key(prf, string(pass), kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(info.EncryptedData) == 0 || len(info.EncryptedData)%bs != 0 {
		return nil, errors.New("malformed PBES2 ciphertext")
	}
	out := make([]byte, len(info.EncryptedData))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.EncryptedData)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("decryption failed")
	}
	return out[:len(out)-pad], nil
}
