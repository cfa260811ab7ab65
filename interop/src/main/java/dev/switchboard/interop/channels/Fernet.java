package dev.switchboard.interop.channels;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Python cryptography's {@code MultiFernet} as channels_redis builds it from {@code symmetric_encryption_keys}:
 * each key string becomes the Fernet key {@code urlsafe_b64(sha256(key))}; encryption uses the first key,
 * decryption tries each. A token is version 0x80, an 8-byte timestamp, a 16-byte IV, AES-128-CBC (PKCS7) and an
 * HMAC-SHA256 of all that, base64url-encoded (the Fernet spec). Thread-safe.
 */
final class Fernet {

  private static final byte VERSION = (byte) 0x80;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Key(SecretKeySpec signing, SecretKeySpec encryption) {
  }

  private final List<Key> keys;

  private Fernet(List<Key> keys) {
    this.keys = keys;
  }

  /** The MultiFernet of channels_redis' {@code symmetric_encryption_keys}, or null when there are none. */
  static Fernet of(List<String> secrets) {
    if (secrets.isEmpty()) {
      return null;
    }
    return new Fernet(secrets.stream().map(Fernet::derive).toList());
  }

  private static Key derive(String secret) {
    try {
      byte[] raw = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return new Key(new SecretKeySpec(raw, 0, 16, "HmacSHA256"), new SecretKeySpec(raw, 16, 16, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] encrypt(byte[] plain) {
    Key key = keys.get(0);
    try {
      byte[] iv = new byte[16];
      RANDOM.nextBytes(iv);
      Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
      aes.init(Cipher.ENCRYPT_MODE, key.encryption(), new IvParameterSpec(iv));
      byte[] cipher = aes.doFinal(plain);
      ByteBuffer token = ByteBuffer.allocate(1 + 8 + 16 + cipher.length + 32);
      token.put(VERSION).putLong(System.currentTimeMillis() / 1000).put(iv).put(cipher);
      token.put(hmac(key, token.array(), token.position()));
      return Base64.getUrlEncoder().encode(token.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Fernet encryption failed", e);
    }
  }

  /** The plaintext; an IllegalArgumentException when no key verifies the token or it is older than {@code ttlSeconds}. */
  byte[] decrypt(byte[] encoded, int ttlSeconds) {
    byte[] token;
    try {
      token = Base64.getUrlDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an encrypted channels_redis message is not a Fernet token", e);
    }
    if (token.length < 1 + 8 + 16 + 16 + 32 || token[0] != VERSION) {
      throw new IllegalArgumentException("an encrypted channels_redis message is not a Fernet token");
    }
    long issued = ByteBuffer.wrap(token, 1, 8).getLong();
    if (System.currentTimeMillis() / 1000 - issued > ttlSeconds) {
      throw new IllegalArgumentException("an encrypted channels_redis message is older than " + ttlSeconds + " s");
    }
    int signed = token.length - 32;
    for (Key key : keys) {
      try {
        if (MessageDigest.isEqual(hmac(key, token, signed), java.util.Arrays.copyOfRange(token, signed, token.length))) {
          Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
          aes.init(Cipher.DECRYPT_MODE, key.encryption(), new IvParameterSpec(token, 9, 16));
          return aes.doFinal(token, 25, signed - 25);
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("an encrypted channels_redis message does not decrypt", e);
      }
    }
    throw new IllegalArgumentException("an encrypted channels_redis message is signed with none of the configured keys");
  }

  private static byte[] hmac(Key key, byte[] data, int length) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(key.signing());
    mac.update(data, 0, length);
    return mac.doFinal();
  }
}
