<?xml version="1.0" encoding="UTF-8"?>
<!-- disposals.xsl: every disposal list, newest first. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:template match="disposals" mode="title">Éliminations</xsl:template>
  <xsl:template match="disposals" mode="main">
    <xsl:choose>
      <xsl:when test="disposal">
        <table id="disposals">
          <caption>Bordereaux d'élimination, du plus récent au plus ancien</caption>
          <xsl:call-template name="disposal-head"/>
          <tbody><xsl:apply-templates select="disposal" mode="row"/></tbody>
        </table>
      </xsl:when>
      <xsl:otherwise><p>Aucun bordereau d'élimination n'a encore été proposé.</p></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
